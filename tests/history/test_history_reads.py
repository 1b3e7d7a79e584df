"""The read API: series per day and hour from rollups, uptime by the one definition, exact percentiles."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from monitors.history import histogram
from monitors.history import reads as history
from monitors.outcomes import Outcome
from monitors.recording import record


def test_daily_series_has_every_day_oldest_first_with_empty_days(make_monitor, observe, feed, base):
    monitor = make_monitor()
    record([observe(monitor, base), observe(monitor, base + timedelta(seconds=60))])
    feed()
    now = base + timedelta(days=2)
    series = history.daily([monitor.pk], days=5, now=now)[monitor.pk]
    assert [p.start for p in series] == [now.date() - timedelta(days=n) for n in (4, 3, 2, 1, 0)]
    assert [p.stats.probes for p in series] == [0, 0, 2, 0, 0]
    assert series[0].stats.uptime is None  # nothing observed is not 100 %


def test_uptime_is_time_weighted_over_confirmed_status(make_monitor, observe, feed, base):
    monitor = make_monitor(interval_s=60)
    outcomes = [Outcome.OK, Outcome.OK, Outcome.SERVER_ERROR, Outcome.SERVER_ERROR, Outcome.SERVER_ERROR]
    for n, outcome in enumerate(outcomes):
        record([observe(monitor, base + timedelta(seconds=60 * n), outcome)])
    feed()
    day = history.daily([monitor.pk], days=1, now=base)[monitor.pk][0].stats
    # up 0-180 s (the failure at 120 s is not yet confirmed), down 180-240 s
    assert (day.up_ms, day.down_ms) == (180_000, 60_000)
    assert day.uptime == pytest.approx(0.75)
    assert day.failures == 3


def test_series_combine_across_monitors_and_regions_with_exact_percentiles(make_monitor, observe, feed, base):
    rnd = random.Random(5)
    monitors = [make_monitor(regions=["eu", "us"]) for _ in range(3)]
    ttfts = []
    for n in range(40):
        batch = [
            observe(
                monitor, base + timedelta(seconds=30 * n), region=region, ttft_ms=rnd.lognormvariate(6, 0.8)
            )
            for monitor in monitors
            for region in ("eu", "us")
        ]
        ttfts += [o.ttft_ms for o in batch]
        record(batch)
    feed()
    series = history.daily([m.pk for m in monitors], days=2, now=base + timedelta(days=1))
    combined = history.combine(series.values())
    assert combined[0].stats.probes == 240
    for q in (0.5, 0.95, 0.99):
        raw = sorted(ttfts)[histogram.rank(q, len(ttfts)) - 1]
        low, high = histogram.bounds(histogram.bucket(raw))
        assert abs(combined[0].stats.percentile("ttft", q) - raw) <= high - low

    eu_only = history.daily([monitors[0].pk], days=1, now=base, region="eu")[monitors[0].pk][0]
    assert eu_only.stats.probes == 40


def test_hourly_series_and_totals(make_monitor, observe, feed, base):
    monitor = make_monitor()
    record([observe(monitor, base + timedelta(minutes=m)) for m in (5, 65, 70)])
    feed()
    hours = history.hourly([monitor.pk], hours=3, now=base + timedelta(hours=2, minutes=1))[monitor.pk]
    assert [p.start for p in hours] == [base + timedelta(hours=h) for h in (0, 1, 2)]
    assert [p.stats.probes for p in hours] == [1, 2, 0]
    assert history.total(hours).probes == 3
    assert history.total(hours).percentiles("total")[0.5] == pytest.approx(900, rel=0.1)


def test_bars_carry_status_time_summed_over_regions(make_monitor, observe, feed, base):
    monitor = make_monitor(interval_s=60, regions=["eu", "us"])
    for n, outcome in enumerate([Outcome.OK, Outcome.OK, Outcome.SERVER_ERROR, Outcome.SERVER_ERROR]):
        record([observe(monitor, base + timedelta(seconds=60 * n), outcome, region=("eu", "us")[n % 2])])
    feed()
    full = history.daily([monitor.pk], days=3, now=base + timedelta(days=1))[monitor.pk]
    bars = history.bars([monitor.pk], days=3, now=base + timedelta(days=1))[monitor.pk]
    assert [(p.start, p.stats.probes, p.stats.uptime) for p in bars] == [
        (p.start, p.stats.probes, p.stats.uptime) for p in full
    ]
    assert bars[1].stats.probes == 4 and bars[1].stats.up_ms == 180_000


def test_uptime_bars_can_skip_the_histograms(make_monitor, observe, feed, base):
    monitor = make_monitor()
    record([observe(monitor, base)])
    feed()
    point = history.daily([monitor.pk], days=1, now=base, metrics=())[monitor.pk][0]
    assert point.stats.probes == 1
    assert point.stats.percentile("ttft", 0.5) is None


def test_unknown_metrics_are_refused(make_monitor, base):
    monitor = make_monitor()
    with pytest.raises(ValueError, match="unknown metric"):
        history.daily([monitor.pk], days=1, now=base, metrics=("latency",))
    with pytest.raises(ValueError, match="unknown metric"):
        history.Stats().percentile("p95", 0.5)
