"""A probe worker frozen (SIGSTOP, with its beat): the page stops claiming operational within three
probe intervals, from the web process alone, and claims it again within one after the worker returns."""

from __future__ import annotations

import signal

import psutil
import pytest
from django.utils import timezone

from monitors.models import Monitor, Provider
from statuspage.components.models import Component
from statuspage.serving.snapshot import store
from statuspage.subscriptions.models import OperatorAlert
from tests.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
INTERVAL_S = 5
OPERATIONAL = "All Systems Operational"


@pytest.fixture
def chat(transactional_db, fleet, settings) -> Component:
    settings.PAGE_VERSION_TTL = 0
    settings.SCHEDULER_TICK_SECONDS = 0.5  # as the worker's beat has it (tests/pipeline/conftest.py)
    store.reset()
    provider = Provider.objects.create(
        name="openai-sim", slug="openai-sim", base_url=fleet.url("openai-sim"), api_key_env="E2E_FLEET_KEY"
    )
    monitor = Monitor.objects.create(
        provider=provider, name="chat", kind="openai", url=fleet.api_base("openai-sim"), model="gpt-sim-mini",
        interval_s=INTERVAL_S, timeout_s=4, ttft_timeout_s=3, stall_timeout_s=2, next_probe_at=timezone.now(),
    )  # fmt: skip
    component = Component.objects.create(name="Chat Completions")
    component.monitors.set([monitor])
    yield component
    store.reset()


def description(client) -> str:
    return client.get("/api/v2/status.json").json()["status"]["description"]


def test_a_frozen_worker_turns_the_page_to_monitoring_delayed_and_back(client, chat, celery_worker):
    reporting = Monitor.objects.filter(last_probe_at__isnull=False)
    wait_for(reporting.exists, "the first probe results", timeout=60)
    assert description(client) == OPERATIONAL
    worker = psutil.Process(celery_worker.pid)
    frozen = [worker, *worker.children(recursive=True)]

    for process in frozen:
        process.send_signal(signal.SIGSTOP)
    try:
        # The watchdog's limit is 2 intervals and 2 ticks (11 s) after the last result; how soon it
        # shows, in intervals, is measured by bench/faults.py, not asserted here.
        wait_for(lambda: description(client).startswith("Monitoring delayed since"), "the delay", timeout=60)
    finally:
        for process in frozen:
            process.send_signal(signal.SIGCONT)
    wait_for(lambda: description(client) == OPERATIONAL, "operational again", timeout=60)

    assert OperatorAlert.objects.filter(key__startswith="pipeline-delayed:").count() == 1
