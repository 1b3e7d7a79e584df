"""End to end: beat tick -> real worker probes the fake provider -> results -> component status -> page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from monitors.models import Monitor, ProbeResult, Provider
from statuspage.components.models import Component, ComponentGroup
from tests.processes import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat_component(transactional_db, fleet) -> Component:
    provider = Provider.objects.create(
        name="openai-sim", slug="openai-sim", base_url=fleet.url("openai-sim"), api_key_env="E2E_FLEET_KEY"
    )
    monitor = Monitor.objects.create(
        provider=provider, name="chat", kind="openai", url=fleet.api_base("openai-sim"), model="gpt-sim-mini",
        stream=True, interval_s=1, timeout_s=5, ttft_timeout_s=3, stall_timeout_s=2,
        next_probe_at=timezone.now(),
    )  # fmt: skip
    component = Component.objects.create(
        name="Chat Completions", group=ComponentGroup.objects.create(name="OpenAI (simulated)")
    )
    component.monitors.set([monitor])
    return component


def component_status(component: Component) -> str:
    component.refresh_from_db()
    return component.status


def test_probe_results_flow_to_the_public_page_and_api(client, fleet, chat_component, celery_worker):
    monitor = chat_component.monitors.get()

    ok = ProbeResult.objects.filter(monitor=monitor, outcome="ok")
    wait_for(lambda: ok.count() >= 2, "ok probes", timeout=45)
    result = ProbeResult.objects.filter(monitor=monitor, outcome="ok").latest("started_at")
    assert result.ttft_ms is not None and result.total_ms >= result.ttft_ms
    monitor.refresh_from_db()
    assert monitor.status == "up"

    fleet.control.set("openai-sim", fault="server_error")
    wait_for(lambda: component_status(chat_component) == "major_outage", "major outage", timeout=45)
    page = client.get("/").content.decode()
    assert "Chat Completions" in page and "Major outage" in page
    api = client.get("/api/v2/summary.json").json()
    assert {c["name"]: c["status"] for c in api["components"]}["Chat Completions"] == "major_outage"
    assert api["status"]["indicator"] == "critical"

    fleet.control.heal("openai-sim")
    wait_for(lambda: component_status(chat_component) == "operational", "recovery", timeout=45)
    assert ProbeResult.objects.filter(monitor=monitor, outcome="server_error").exists()
