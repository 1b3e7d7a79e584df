"""Recording a batch: results stored, state advanced with confirmation, StateChange outbox rows."""

from datetime import timedelta

from django.utils import timezone

from monitors.models import ProbeResult, StateChange
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record, sweep_stale


def obs(monitor, outcome, seconds=0, region="default", **fields):
    return Observation(
        monitor_id=monitor.pk, outcome=outcome, started_at=timezone.now() + timedelta(seconds=seconds),
        region=region, **fields,
    )  # fmt: skip


def test_results_are_stored_with_their_measurements(make_monitor):
    monitor = make_monitor()
    record([obs(monitor, Outcome.OK, ttft_ms=12.5, total_ms=40.0, http_status=200)])
    result = ProbeResult.objects.get()
    assert (result.outcome, result.ttft_ms, result.total_ms, result.http_status) == ("ok", 12.5, 40.0, 200)


def test_stream_measurements_are_stored_too(make_monitor):
    monitor = make_monitor()
    record([obs(monitor, Outcome.OK, tokens_out=9, tokens_estimated=True, itl_max_ms=812.5)])
    record([obs(monitor, Outcome.OK, 1, tokens_out=9)])
    stored = list(ProbeResult.objects.order_by("started_at").values_list("tokens_estimated", "itl_max_ms"))
    assert stored == [(True, 812.5), (False, None)]


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


def test_an_outvoted_region_is_recorded_as_its_own_state_change(make_monitor):
    monitor = make_monitor(status="up", regions=["eu", "us", "ap"])
    record([obs(monitor, Outcome.OK, 0, region=r) for r in ("eu", "us", "ap")])
    record([obs(monitor, Outcome.SERVER_ERROR, s, region="eu") for s in (1, 2)])
    monitor.refresh_from_db()
    assert monitor.status == "up"
    assert monitor.outvoted_regions() == {"eu": "down"}
    change = StateChange.objects.get()
    assert (change.region, change.old_status, change.new_status) == ("eu", "up", "down")


def test_state_survives_between_batches_on_the_row(make_monitor):
    monitor = make_monitor(status="down")
    for second in (1, 2):
        record([obs(monitor, Outcome.OK, second)])
    monitor.refresh_from_db()
    assert (monitor.status, monitor.region_states["default"]["pending_count"]) == ("down", 2)
    record([obs(monitor, Outcome.OK, 3)])
    monitor.refresh_from_db()
    assert monitor.status == "up"


def test_thresholds_come_from_the_monitor(make_monitor):
    monitor = make_monitor(status="up", slow_ttft_ms=500, options={"confirm_degraded": 1})
    record([obs(monitor, Outcome.OK, ttft_ms=900.0)])
    monitor.refresh_from_db()
    assert monitor.status == "degraded"


def test_a_monitor_that_stops_reporting_becomes_unknown(make_monitor):
    monitor = make_monitor(status="up", interval_s=60)
    record([obs(monitor, Outcome.OK)])
    rang = []
    assert sweep_stale(timezone.now() + timedelta(seconds=170), on_change=lambda: rang.append(1)) == 0
    assert sweep_stale(timezone.now() + timedelta(seconds=190)) == 1
    monitor.refresh_from_db()
    assert monitor.status == "unknown"
    change = StateChange.objects.get()
    assert (change.new_status, change.reason) == ("unknown", "no result for 3 intervals from default")
    assert sweep_stale(timezone.now() + timedelta(seconds=250)) == 0


def test_a_silent_region_of_a_multi_region_monitor_is_noticed_while_others_report(make_monitor):
    monitor = make_monitor(status="up", regions=["eu", "us", "ap"], interval_s=60)
    record([obs(monitor, Outcome.OK, 0, region=r) for r in ("eu", "us", "ap")])
    record([obs(monitor, Outcome.OK, 200, region=r) for r in ("eu", "us")])
    sweep_stale(timezone.now() + timedelta(seconds=201))
    monitor.refresh_from_db()
    assert monitor.region_states["ap"]["status"] == "unknown"
    assert monitor.status == "up"
