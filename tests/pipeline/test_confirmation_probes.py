"""End to end: a first failure is confirmed by a probe seconds later, not at the next scheduled probe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import Monitor, ProbeResult, Provider
from tests.processes import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def confirming(monkeypatch) -> None:
    """The worker started after this confirms 1 s after a first vote and 2 s after a second."""
    monkeypatch.setenv("CONFIRM_DELAYS_S", "1,2")


@pytest.fixture
def hourly_monitor(transactional_db, fleet) -> Monitor:
    provider = Provider.objects.create(
        name="openai-sim", slug="openai-sim", base_url=fleet.url("openai-sim"), api_key_env="E2E_FLEET_KEY"
    )
    return Monitor.objects.create(
        provider=provider, name="chat", kind="openai", url=fleet.api_base("openai-sim"), model="gpt-sim-mini",
        stream=True, interval_s=3600, timeout_s=5, ttft_timeout_s=3, stall_timeout_s=2,
        next_probe_at=timezone.now(),
    )  # fmt: skip


def test_an_outage_and_its_recovery_are_confirmed_in_seconds(
    fleet, confirming, hourly_monitor, celery_worker
) -> None:
    monitor = hourly_monitor
    wait_for(lambda: Monitor.objects.get(pk=monitor.pk).status == "up", "first probe", timeout=45)

    fleet.control.set("openai-sim", fault="server_error")
    Monitor.objects.filter(pk=monitor.pk).update(next_probe_at=timezone.now())  # one scheduled probe now
    wait_for(lambda: Monitor.objects.get(pk=monitor.pk).status == "down", "down", timeout=30)
    failed = ProbeResult.objects.filter(monitor=monitor, outcome="server_error").order_by("started_at")
    assert [r.details.get("confirmation", False) for r in failed] == [False, True]
    assert failed[1].started_at - failed[0].started_at < timedelta(seconds=10)  # not an hour

    fleet.control.heal("openai-sim")
    Monitor.objects.filter(pk=monitor.pk).update(next_probe_at=timezone.now())
    wait_for(lambda: Monitor.objects.get(pk=monitor.pk).status == "up", "recovery", timeout=30)
    ok = ProbeResult.objects.filter(monitor=monitor, outcome="ok").order_by("started_at")[1:]
    assert [r.details.get("confirmation", False) for r in ok] == [False, True, True]  # up takes three votes
    assert Monitor.objects.get(pk=monitor.pk).confirmation_probes == 3
