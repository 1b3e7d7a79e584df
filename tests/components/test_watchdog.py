"""The pipeline watchdog: when our own evidence is late, no surface claims operational."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from monitors.models import Monitor
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from statuspage.components import watchdog
from statuspage.components.watchdog import ActiveMonitor, assess
from statuspage.lib import pageversion
from statuspage.subscriptions.models import Delivery, OperatorAlert
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
TICK = timedelta(seconds=5)
MINUTE = timedelta(seconds=60)


def active(last: datetime | None, *, regions=("default",), due: datetime = NOW, interval=MINUTE):
    return ActiveMonitor(interval, regions, dict.fromkeys(regions, last), due)


@pytest.mark.parametrize(
    ("monitors", "delayed_since"),
    [
        ([active(NOW - 2 * MINUTE)], None),  # within 2 intervals + 2 ticks (130 s)
        ([active(NOW - 3 * MINUTE)], NOW - 3 * MINUTE),
        ([active(NOW - 3 * MINUTE), active(NOW - timedelta(seconds=10))], None),  # one fresh result is enough
        ([active(None)], None),  # never reported (just added): nothing to be late
        # The tick: the oldest due time not yet claimed, late after 3 ticks + 30 s.
        ([active(NOW, due=NOW - timedelta(seconds=40))], None),
        ([active(NOW, due=NOW - timedelta(seconds=50))], NOW - timedelta(seconds=50)),
        # Per region: a stalled region is late even while another one reports.
        ([active(NOW, regions=("us",)), active(NOW - 5 * MINUTE, regions=("eu",))], NOW - 5 * MINUTE),
        ([], None),
    ],
)
def test_monitoring_is_delayed_since_the_oldest_late_evidence(monitors, delayed_since):
    assert assess(monitors, NOW, TICK, {}).delayed_since == delayed_since


def test_the_limit_follows_the_shortest_interval_of_the_region():
    slow_and_fast = [active(NOW - 4 * MINUTE), active(NOW - 4 * MINUTE, interval=timedelta(hours=1))]
    assert assess(slow_and_fast, NOW, TICK, {}).delayed_since == NOW - 4 * MINUTE
    assert assess([slow_and_fast[1]], NOW, TICK, {}).delayed_since is None


@pytest.fixture
def reported(make_monitor, make_component):
    """A monitor that reported up a moment ago, on a component, as while the workers run."""
    monitor = make_monitor(status="up", interval_s=60, next_probe_at=timezone.now() + MINUTE)
    record([Observation(monitor.pk, Outcome.OK, timezone.now())])
    make_component("Chat", monitors=[monitor], status="operational")
    monitor.refresh_from_db()
    return monitor


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user("olga", "olga@example.com", is_staff=True)


def frozen_pipeline_read(client, path: str, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        pageversion.bump()  # the page's refresh period, shortened: nothing else moved the version
        return client.get(path).content.decode()


def test_no_surface_claims_operational_on_late_evidence(client, reported, operator):
    assert json.loads(client.get("/api/v2/status.json").content)["status"]["description"] == (
        "All Systems Operational"
    )
    later = timezone.now() + 5 * MINUTE
    since = f"Monitoring delayed since {reported.last_probe_at.astimezone(UTC):%H:%M} UTC"

    summary = json.loads(frozen_pipeline_read(client, "/api/v2/summary.json", later))
    status = json.loads(frozen_pipeline_read(client, "/api/v2/status.json", later))
    page = frozen_pipeline_read(client, "/", later)
    badge = frozen_pipeline_read(client, "/badge.svg", later)
    component_badge = frozen_pipeline_read(client, f"/badge/{summary['components'][0]['id']}.svg", later)
    failover = json.loads(frozen_pipeline_read(client, "/api/failover.json", later))

    # The documents keep Statuspage's shape: the description says it, the last known status stays.
    assert summary["status"] == {"indicator": "none", "description": since}
    assert status["status"]["description"] == since
    assert summary["components"][0]["status"] == "operational"
    assert since in page and "All Systems Operational" not in page
    assert "monitoring delayed since" in badge and "operational" not in badge
    assert "monitoring delayed" in component_badge and "operational" not in component_badge
    assert failover["recommended"] is None and failover["monitoring_delayed_since"] is not None
    assert all(c["stale"] for c in failover["candidates"])


def test_the_page_says_it_as_soon_as_the_evidence_goes_late_without_waiting_for_a_change(
    client, reported, settings
):
    settings.PAGE_REFRESH_SECONDS = 3600  # nothing else would render the page again
    assert "All Systems Operational" in client.get("/api/v2/status.json").content.decode()
    late = reported.last_probe_at + 2 * MINUTE + 2 * TICK + timedelta(seconds=1)
    # The tick keeps claiming, results stop: a stuck probe queue.
    Monitor.objects.filter(pk=reported.pk).update(next_probe_at=late + MINUTE)

    with time_machine.travel(late - timedelta(seconds=2), tick=False):
        assert "All Systems Operational" in client.get("/api/v2/status.json").content.decode()
    with time_machine.travel(late, tick=False):
        assert "Monitoring delayed since" in client.get("/api/v2/status.json").content.decode()
    record([Observation(reported.pk, Outcome.OK, late)])  # the queue moves again
    with time_machine.travel(late + TICK + timedelta(seconds=1), tick=False):
        assert "All Systems Operational" in client.get("/api/v2/status.json").content.decode()


def test_operators_are_alerted_once_an_episode_and_the_event_fires_once(
    reported, operator, django_capture_on_commit_callbacks
):
    fired = []

    def receiver(sender, freshness, **_):
        fired.append(freshness.delayed_since)

    watchdog.watchdog_fired.connect(receiver)
    try:
        for minutes in (5, 6, 7):  # the web process and beat look again and again
            later = timezone.now() + minutes * MINUTE
            with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
                watchdog.raise_alarm(watchdog.read(timezone.now()))
    finally:
        watchdog.watchdog_fired.disconnect(receiver)

    alert = OperatorAlert.objects.get()
    assert alert.subject == f"Monitoring delayed since {reported.last_probe_at.astimezone(UTC):%H:%M} UTC"
    assert "results in default" in alert.body
    assert Delivery.objects.filter(alert=alert, recipient="olga@example.com").count() == 1
    assert fired == [reported.last_probe_at]


def test_metrics_expose_the_lag(client, reported):
    text = frozen_pipeline_read(client, "/metrics", timezone.now() + 5 * MINUTE)
    lag = re.search(r'statuspage_pipeline_lag_seconds\{evidence="results",region="default"\} (\S+)', text)
    assert lag and float(lag.group(1)) >= 299
    assert "statuspage_pipeline_delayed 1" in text
    assert 'statuspage_queue_depth{queue="default"}' in text
