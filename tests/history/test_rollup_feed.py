"""Recorded results reach the rollups once: by the feed, or by the writer when the feed is past them."""

from __future__ import annotations

import random
from datetime import timedelta

from monitors.history import aggregator, partitions, rebuild
from monitors.models import DailyRollup, HourlyRollup, Monitor, ProbeResult
from monitors.outcomes import Outcome
from monitors.recording import record
from tests.history.conftest import snapshot

OUTCOMES = [Outcome.OK] * 12 + [
    Outcome.SLOW,
    Outcome.RATE_LIMITED,
    Outcome.SERVER_ERROR,
    Outcome.TIMEOUT_TTFT,
]


def test_feed_adds_recorded_results_to_hourly_and_daily_rollups(make_monitor, observe, feed, base):
    monitor = make_monitor()
    record([observe(monitor, base), observe(monitor, base + timedelta(minutes=1), Outcome.SERVER_ERROR)])
    assert not HourlyRollup.objects.exists()  # the feed has not run yet

    assert feed() == 2
    hour = HourlyRollup.objects.get()
    day = DailyRollup.objects.get()
    for rollup in (hour, day):
        assert (rollup.monitor_id, rollup.region, rollup.probes) == (monitor.pk, "default", 2)
        assert rollup.outcomes == {"ok": 1, "server_error": 1}
        assert sum(rollup.ttft.values()) == 1  # failures have no latency to histogram
    assert (hour.hour, day.day) == (base, base.date())
    assert feed() == 0  # nothing new: running it again adds nothing


def test_a_batch_applied_twice_counts_once(make_monitor, observe, feed, base):
    monitor = make_monitor(status="up")
    batch = [observe(monitor, base, Outcome.SERVER_ERROR), observe(monitor, base + timedelta(seconds=60))]
    record(batch)
    monitor.refresh_from_db()
    state = (monitor.status, monitor.region_states, monitor.last_probe_at)

    assert record(batch) == 0
    assert ProbeResult.objects.count() == 2
    monitor.refresh_from_db()
    assert (monitor.status, monitor.region_states, monitor.last_probe_at) == state

    feed()
    record(batch)  # and again once the feed is past them: the writer adds nothing either
    assert DailyRollup.objects.get().probes == 2


def test_a_replay_mixed_with_new_results_stores_only_the_new(make_monitor, observe, feed, base):
    monitor = make_monitor()
    first = observe(monitor, base)
    record([first])
    record([first, observe(monitor, base + timedelta(seconds=60))])
    feed()
    assert ProbeResult.objects.count() == 2
    assert DailyRollup.objects.get().probes == 2


def test_results_the_feed_has_passed_are_added_by_their_writer(make_monitor, observe, feed, base):
    monitor = make_monitor()
    feed()  # the watermark is now past `base`
    record([observe(monitor, base), observe(monitor, base + timedelta(seconds=30), region="eu")])
    assert {r.region: r.probes for r in DailyRollup.objects.all()} == {"default": 1, "eu": 1}
    assert feed() == 0


def test_status_time_is_the_confirmed_status_held_between_results(make_monitor, observe, feed, base):
    monitor = make_monitor(interval_s=60)
    at = [base + timedelta(seconds=s) for s in (0, 60, 120, 180, 240, 840)]
    outcomes = [Outcome.OK, Outcome.OK, Outcome.SERVER_ERROR, Outcome.SERVER_ERROR, Outcome.OK, Outcome.OK]
    for moment, outcome in zip(at, outcomes, strict=True):
        record([observe(monitor, moment, outcome)])
    feed()
    day = DailyRollup.objects.get()
    # unknown -> up at 0; up until the second failure confirms down at 180; down since. The 600 s gap
    # before the last result counts only its first 3 intervals: past that the status was stale.
    assert (day.up_ms, day.down_ms, day.degraded_ms, day.unknown_ms) == (180_000, 240_000, 0, 0)
    assert ProbeResult.objects.get(started_at=at[-1]).span_ms == 180_000


def test_rollups_equal_a_rebuild_from_raw_results(make_monitor, observe, feed, base, rollups_now):
    rnd = random.Random(11)
    monitors = [make_monitor(interval_s=60, regions=["eu", "us"]) for _ in range(3)]
    held_back = []
    for step in range(80):  # 23:00 to 00:20, across midnight
        moment = base + timedelta(hours=1, seconds=60 * step)
        batch = [
            observe(
                m,
                moment + timedelta(milliseconds=rnd.randrange(5000)),
                rnd.choice(OUTCOMES),
                region,
                ttft_ms=rnd.lognormvariate(6, 1),
                total_ms=rnd.lognormvariate(7, 1),
                tokens_per_s=rnd.choice([None, rnd.uniform(5, 150)]),
            )
            for m in monitors
            for region in ("eu", "us")
        ]
        if step % 13 == 5:
            held_back.append(batch)  # a slow batch: it arrives after the feed has passed it
        else:
            record(batch)
        if step % 20 == 19:
            aggregator.catch_up(moment, timedelta(0))
            for late in held_back:
                record(late)
            held_back.clear()
    feed()
    recorded = rollups_now()
    assert sum(r[0] for r in recorded[1].values()) == ProbeResult.objects.count() == 480

    days = rebuild.rebuild(base.date(), base.date() + timedelta(days=1))
    assert days == [base.date(), base.date() + timedelta(days=1)]
    assert rollups_now() == recorded


def test_results_of_a_deleted_monitor_are_dropped(make_monitor, observe, base):
    monitor = make_monitor()
    gone = observe(monitor, base)
    Monitor.objects.filter(pk=monitor.pk).delete()
    assert record([gone]) == 0
    assert not ProbeResult.objects.exists()


def test_a_day_without_a_partition_gets_one_on_the_fly(make_monitor, observe, feed, base):
    monitor = make_monitor()
    long_ago = base - timedelta(days=400)
    assert partitions.utc_day(long_ago) not in partitions.existing()
    record([observe(monitor, long_ago)])
    assert partitions.utc_day(long_ago) in partitions.existing()
    assert ProbeResult.objects.get().started_at == long_ago


def test_rebuild_keeps_the_rollups_of_days_without_raw_results(
    make_monitor, observe, feed, base, rollups_now
):
    monitor = make_monitor()
    record([observe(monitor, base)])
    feed()
    before = snapshot(DailyRollup)
    assert rebuild.rebuild(base.date() - timedelta(days=900), base.date() - timedelta(days=899)) == []
    assert snapshot(DailyRollup) == before


def test_after_a_quiet_stretch_the_feed_adds_results_in_small_steps(make_monitor, observe, base, monkeypatch):
    # Striding over days without results is fine; a stride that lands on data must not add hours of
    # results in one transaction, since writers wait on the rollup lock while it runs.
    monitor = make_monitor()
    aggregator.catch_up(base - timedelta(days=3), timedelta(0))
    record([observe(monitor, base + timedelta(minutes=m)) for m in range(0, 180, 5)])
    steps = []
    add_range = aggregator.rollups.add_range

    def spy(low, high):
        added = add_range(low, high)
        steps.append((high - low, added))
        return added

    monkeypatch.setattr(aggregator.rollups, "add_range", spy)
    assert aggregator.catch_up(base + timedelta(hours=4), timedelta(0)) == 36
    assert any(span > aggregator.STEP for span, _ in steps)  # it did stride over the quiet days
    assert all(span <= aggregator.STEP for span, added in steps if added)
    assert sum(DailyRollup.objects.values_list("probes", flat=True)) == 36
