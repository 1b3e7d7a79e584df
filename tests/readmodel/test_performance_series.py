"""Performance series: data from the first probe, each result counted once, regions, outcome mix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.outcomes import Outcome
from statuspage.readmodel.performance import RANGES, series, step_starts

pytestmark = pytest.mark.django_db


def near(value: float | None, expected: float) -> bool:
    """Percentiles come from log buckets about 9 % wide."""
    return value is not None and abs(value - expected) <= expected * 0.1


@pytest.mark.parametrize("name", list(RANGES))
def test_the_first_probe_shows_in_every_range_before_the_rollup_feed_runs(make_monitor, probe, name):
    monitor = make_monitor()
    now = timezone.now()
    at = max(step_starts(RANGES[name], now)[-1], now - timedelta(seconds=30))  # in the current step
    probe(monitor, at, ttft_ms=420.0, total_ms=1500.0, tokens_per_s=80.0)
    perf = series([monitor.pk], RANGES[name], now)
    assert perf.summary.probes == 1 and not perf.empty
    assert near(perf.summary.ttft_p50, 420) and near(perf.summary.latency_p95, 1500)
    assert near(perf.summary.tps_p50, 80) and perf.summary.success_rate == 1.0
    assert perf.buckets[-1].probes == 1  # in the current step, the last one
    assert len(perf.buckets) == RANGES[name].steps


@pytest.mark.parametrize("name", ["24h", "7d", "30d", "90d"])
def test_rollups_and_the_raw_tail_count_each_result_exactly_once(make_monitor, probe, feed, name):
    monitor = make_monitor()
    now = timezone.now()
    times = [now - timedelta(minutes=m) for m in (170, 130, 95, 50, 20, 3)]
    for at in times:
        probe(monitor, at)
    feed(upto=now - timedelta(minutes=60))  # the first three are in rollups, the rest only raw
    partly = series([monitor.pk], RANGES[name], now).summary
    feed()
    folded = series([monitor.pk], RANGES[name], now).summary
    assert partly.probes == folded.probes == len(times)
    assert partly.outcomes == folded.outcomes == {"ok": len(times)}


def test_the_last_hour_has_two_minute_steps_read_from_raw_results(make_monitor, probe, feed):
    monitor = make_monitor()
    now = timezone.now()
    probe(monitor, now - timedelta(minutes=5), ttft_ms=200.0)
    probe(monitor, now - timedelta(minutes=30), ttft_ms=900.0)
    feed()  # rolled up or not, the hour reads the results themselves
    perf = series([monitor.pk], RANGES["1h"], now)
    assert len(perf.buckets) == 30 and perf.range.step == timedelta(minutes=2)
    with_data = [b for b in perf.buckets if b.probes]
    assert [round(b.ttft_p50, -2) for b in with_data] == [900, 200]
    assert perf.buckets == sorted(perf.buckets, key=lambda b: b.start)


def test_failures_by_kind_and_the_success_rate_leave_our_own_errors_out(make_monitor, probe):
    monitor = make_monitor()
    now = timezone.now()
    outcomes = [Outcome.OK] * 6 + [Outcome.TIMEOUT_TTFT] * 3 + [Outcome.OVERLOADED, Outcome.AUTH_ERROR]
    for n, outcome in enumerate(outcomes):
        probe(monitor, now - timedelta(minutes=n + 1), outcome)
    summary = series([monitor.pk], RANGES["1h"], now).summary
    assert summary.outcomes == {"ok": 6, "timeout_ttft": 3, "overloaded": 1, "auth_error": 1}
    assert summary.success_rate == 0.6  # 6 of the 10 that say something about the provider
    assert near(summary.ttft_p95, 300)  # failures have no time to first token: not in the percentiles


def test_each_region_gets_its_own_series_when_several_probe(make_monitor, probe):
    monitor = make_monitor(regions=["eu", "us"])
    now = timezone.now()
    probe(monitor, now - timedelta(minutes=3), region="eu", ttft_ms=200.0)
    probe(monitor, now - timedelta(minutes=3), region="us", ttft_ms=800.0)
    perf = series([monitor.pk], RANGES["24h"], now)
    hour = next(i for i, b in enumerate(perf.buckets) if b.probes)  # this hour, or the last one
    assert set(perf.regions) == {"eu", "us"}
    assert near(perf.regions["eu"][hour].ttft_p50, 200) and near(perf.regions["us"][hour].ttft_p50, 800)
    assert perf.buckets[hour].probes == 2


def test_one_region_needs_no_region_series(make_monitor, probe):
    monitor = make_monitor()
    probe(monitor, timezone.now() - timedelta(minutes=1))
    assert series([monitor.pk], RANGES["24h"], timezone.now()).regions == {}


def test_the_daily_ranges_include_hours_not_yet_folded_into_days(make_monitor, probe, feed):
    monitor = make_monitor()
    now = timezone.now()
    probe(monitor, now - timedelta(days=3))
    probe(monitor, now - timedelta(hours=2))
    feed()
    perf = series([monitor.pk], RANGES["30d"], now)
    assert perf.summary.probes == 2
    assert sum(1 for b in perf.buckets if b.probes) in (1, 2)  # two days, unless both fall on one


def test_steps_are_aligned_to_whole_periods_in_utc():
    now = timezone.now()
    hours = step_starts(RANGES["24h"], now)
    assert (
        all(s.minute == 0 and s.second == 0 for s in hours)
        and hours[-1] <= now < hours[-1] + RANGES["24h"].step
    )
    days = step_starts(RANGES["90d"], now)
    assert len(days) == 90 and all(s.hour == 0 for s in days)


def test_the_provider_claims_come_from_its_status_page_monitor(make_monitor, probe):
    ours = make_monitor()
    theirs = make_monitor(kind="upstream", model="", url="http://127.0.0.1:9/api/v2/summary.json")
    now = timezone.now()
    probe(ours, now - timedelta(minutes=2))
    probe(theirs, now - timedelta(minutes=2))
    perf = series([ours.pk], RANGES["1h"], now, claim_ids=[theirs.pk])
    assert perf.summary.probes == 1  # their page is not one of our probes
    assert len(perf.claims) == len(perf.buckets) and sum(c.probes for c in perf.claims) == 1
