"""Pausing a monitor: no probes, no status, out of its components; resuming starts from unknown."""

from django.utils import timezone

from monitors import pausing
from monitors.models import Monitor, StateChange
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from monitors.scheduling import claim_due
from statuspage.components.propagation import propagate


def pause(monitor, now) -> bool:
    return (
        pausing.pause(Monitor.objects.filter(pk=monitor.pk), reason="test", now=now, on_change=lambda: None)
        == 1
    )


def resume(monitor, now) -> bool:
    return (
        pausing.resume(Monitor.objects.filter(pk=monitor.pk), reason="test", now=now, on_change=lambda: None)
        == 1
    )


def test_a_paused_monitor_is_not_probed_and_drops_out_of_its_component(make_monitor, make_component):
    down, up = make_monitor(status="down"), make_monitor(status="up")
    component = make_component(monitors=[down, up], status="partial_outage")
    now = timezone.now()

    assert pause(down, now)
    propagate(now)

    component.refresh_from_db()
    assert component.status == "operational"
    assert [claim.monitor_id for claim in claim_due(now, 10)] == [up.pk]
    assert not pause(down, now)


def test_results_arriving_for_a_paused_monitor_change_nothing(make_monitor):
    monitor = make_monitor(status="up")
    pause(monitor, timezone.now())
    record([Observation(monitor.pk, Outcome.SERVER_ERROR, timezone.now()) for _ in range(3)])
    monitor.refresh_from_db()
    assert monitor.status == "paused"


def test_resuming_starts_from_unknown_and_probes_at_once(make_monitor):
    monitor = make_monitor(status="up")
    now = timezone.now()
    pause(monitor, now)
    assert resume(monitor, now)
    monitor.refresh_from_db()
    assert (monitor.status, monitor.enabled, monitor.region_states) == ("unknown", True, {})
    assert [c.new_status for c in StateChange.objects.order_by("id")] == ["paused", "unknown"]
