"""Recording a batch: results stored, state advanced with confirmation, StateChange outbox rows."""

from datetime import timedelta

from django.utils import timezone

from monitors.models import ProbeResult, StateChange
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record


def obs(monitor, outcome, seconds=0, **fields):
    return Observation(
        monitor_id=monitor.pk, outcome=outcome, started_at=timezone.now() + timedelta(seconds=seconds),
        region="default", **fields,
    )  # fmt: skip


def test_results_are_stored_with_their_measurements(make_monitor):
    monitor = make_monitor()
    record([obs(monitor, Outcome.OK, ttft_ms=12.5, total_ms=40.0, http_status=200)])
    result = ProbeResult.objects.get()
    assert (result.outcome, result.ttft_ms, result.total_ms, result.http_status) == ("ok", 12.5, 40.0, 200)


def test_two_failures_confirm_down_and_write_one_state_change(make_monitor):
    monitor = make_monitor(status="up")
    rang = []
    assert record([obs(monitor, Outcome.SERVER_ERROR)], on_change=lambda: rang.append(1)) == 0
    assert record([obs(monitor, Outcome.SERVER_ERROR, 1)], on_change=lambda: rang.append(1)) == 1
    monitor.refresh_from_db()
    assert monitor.status == "down"
    change = StateChange.objects.get()
    assert (change.old_status, change.new_status, change.processed_at) == ("up", "down", None)


def test_garbage_message_is_truncated_not_rejected(make_monitor):
    monitor = make_monitor()
    record([obs(monitor, Outcome.MALFORMED, message="x" * 5000, error_type="E" * 500)])
    result = ProbeResult.objects.get()
    assert (len(result.message), len(result.error_type), result.outcome) == (300, 100, "malformed")


def test_results_for_a_disabled_monitor_do_not_move_its_state(make_monitor):
    monitor = make_monitor(status="up", enabled=False)
    record([obs(monitor, Outcome.SERVER_ERROR), obs(monitor, Outcome.SERVER_ERROR, 1)])
    monitor.refresh_from_db()
    assert monitor.status == "up"
