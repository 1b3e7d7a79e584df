"""Read history from rollups only: per-day and per-hour sums, uptime and exact-merge percentiles.

The public side (statuspage/readmodel/history.py, the API, badges) calls this; nothing here reads raw
results, so its cost depends on the monitors and periods asked for, never on how many results are
stored. Sums lag live results by up to ROLLUP_FEED_SECONDS + ROLLUP_SETTLE_SECONDS (6 minutes by default).

    series = daily(monitor_ids, days=90, now=now)      # {monitor id: [Point(day, Stats)] * 90}
    bars(monitor_ids, days=90, now=now)                 # the same without outcomes and histograms
    bars = combine(series.values())                     # one series over all those monitors
    bars[-1].stats.uptime, bars[-1].stats.percentile("ttft", 0.95)
    total(bars).uptime                                  # the 90-day figure
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Subquery, Sum
from django.db.models.functions import TruncDate

from monitors.history import histogram, uptime
from monitors.history.rollups import HISTOGRAMS
from monitors.models import DailyRollup, HourlyRollup, MonitorStatus, RollupProgress

METRICS = tuple(HISTOGRAMS)  # "ttft", "total" (latency), "tps": histograms of successful probes
_MS = ("up_ms", "degraded_ms", "down_ms", "unknown_ms")


@dataclass(frozen=True)
class Stats:
    """Sums over some monitors, regions and time; adding two Stats is exact."""

    probes: int = 0
    outcomes: Mapping[str, int] = field(default_factory=dict)
    up_ms: int = 0
    degraded_ms: int = 0
    down_ms: int = 0
    unknown_ms: int = 0
    histograms: Mapping[str, Mapping[int, int]] = field(default_factory=dict)

    def __add__(self, other: Stats) -> Stats:
        return Stats(
            self.probes + other.probes,
            histogram.merge([self.outcomes, other.outcomes]),
            *(getattr(self, name) + getattr(other, name) for name in _MS),
            histograms={
                metric: histogram.merge([self.histograms.get(metric, {}), other.histograms.get(metric, {})])
                for metric in {*self.histograms, *other.histograms}
            },
        )

    @property
    def ms_by_status(self) -> dict[str, int]:
        return {
            MonitorStatus.UP: self.up_ms,
            MonitorStatus.DEGRADED: self.degraded_ms,
            MonitorStatus.DOWN: self.down_ms,
            MonitorStatus.UNKNOWN: self.unknown_ms,
        }

    @property
    def uptime(self) -> float | None:
        """docs/uptime.md: time-weighted over the monitors' confirmed status; None if unobserved."""
        return uptime.monitor_uptime(self.up_ms, self.degraded_ms, self.down_ms)

    @property
    def failures(self) -> int:
        """Probes whose outcome was not a success (provider faults, throttling and our own errors)."""
        return self.probes - self.outcomes.get("ok", 0) - self.outcomes.get("slow", 0)

    def percentile(self, metric: str, q: float) -> float | None:
        """Nearest-rank q-quantile of successful probes, within one bucket (about 9 %) of the raw value."""
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
        return histogram.percentile(self.histograms.get(metric, {}), q)

    def percentiles(self, metric: str, qs: Iterable[float] = (0.5, 0.95, 0.99)) -> dict[float, float | None]:
        return {q: self.percentile(metric, q) for q in qs}


@dataclass(frozen=True)
class Point:
    """One period of a series: `start` is a date (daily) or an aware UTC datetime (hourly)."""

    start: date | datetime
    stats: Stats


def daily(
    monitor_ids: Iterable[int],
    days: int,
    now: datetime,
    *,
    region: str | None = None,
    metrics: Sequence[str] = METRICS,
) -> dict[int, list[Point]]:
    """Each monitor's last `days` UTC days, today included, oldest first; days without data are
    empty Stats. `region` keeps one region (default: all merged); `metrics` picks the histograms to
    load (none for uptime bars alone, which is cheaper)."""
    today = now.astimezone(UTC).date()
    starts = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    rows = DailyRollup.objects.filter(day__gte=starts[0], day__lte=today)
    return _series([(rows, "day"), (_unfolded(starts[0], today), "on")], starts, monitor_ids, region, metrics)


def bars(monitor_ids: Iterable[int], days: int, now: datetime) -> dict[int, list[Point]]:
    """The uptime bars: like `daily`, but only probe counts and time in each status, summed over
    regions by Postgres (no outcome counts, no histograms): the cheapest read, for 90 bars a row."""
    ids = list(dict.fromkeys(monitor_ids))
    today = now.astimezone(UTC).date()
    starts = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    sums = (Sum("probes"), *(Sum(name) for name in _MS))
    rows = (
        DailyRollup.objects.filter(monitor_id__in=ids, day__gte=starts[0], day__lte=today)
        .values_list("monitor_id", "day")
        .annotate(*sums)
    )
    late = _unfolded(starts[0], today).filter(monitor_id__in=ids)
    late = late.values_list("monitor_id", "on").annotate(*sums)
    found: dict[tuple[int, date], Stats] = {}
    for monitor_id, day, probes, *ms in rows.union(late, all=True):  # one statement: one fold watermark
        stats = Stats(probes, {}, *ms)
        found[monitor_id, day] = found[monitor_id, day] + stats if (monitor_id, day) in found else stats
    empty = Stats()
    return {
        monitor_id: [Point(day, found.get((monitor_id, day), empty)) for day in starts] for monitor_id in ids
    }


def hourly(
    monitor_ids: Iterable[int],
    hours: int,
    now: datetime,
    *,
    region: str | None = None,
    metrics: Sequence[str] = METRICS,
) -> dict[int, list[Point]]:
    """Each monitor's last `hours` hours, the current one included, oldest first (kept for
    HOURLY_ROLLUP_RETENTION_DAYS)."""
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    starts = [current - timedelta(hours=n) for n in range(hours - 1, -1, -1)]
    rows = HourlyRollup.objects.filter(hour__gte=starts[0], hour__lte=current)
    return _series([(rows, "hour")], starts, monitor_ids, region, metrics)


def combine(series: Iterable[Sequence[Point]]) -> list[Point]:
    """Add several series over the same periods into one (e.g. a component's monitors)."""
    columns = list(zip(*series, strict=True))
    return [Point(points[0].start, total(points)) for points in columns]


def total(points: Iterable[Point]) -> Stats:
    """Periods added up (e.g. the 90-day uptime), in one pass rather than a Stats per addition."""
    probes, ms = 0, [0, 0, 0, 0]
    outcomes: dict[str, int] = {}
    histograms: dict[str, dict[int, int]] = {}
    for point in points:
        stats = point.stats
        probes += stats.probes
        ms[0] += stats.up_ms
        ms[1] += stats.degraded_ms
        ms[2] += stats.down_ms
        ms[3] += stats.unknown_ms
        if stats.outcomes:
            histogram.add(outcomes, stats.outcomes)
        if stats.histograms:
            for metric, counts in stats.histograms.items():
                histogram.add(histograms.setdefault(metric, {}), counts)
    return Stats(probes, outcomes, *ms, histograms=histograms)


def _unfolded(first: date, last: date):
    """The hourly rollups of days first..last that the daily ones do not hold yet (the hours from the
    fold watermark on, monitors/history/rollups.py), each with its UTC day as `on`."""
    mark = RollupProgress.objects.filter(pk=1).values("folded")[:1]
    return (
        HourlyRollup.objects.filter(hour__gte=Subquery(mark))
        .annotate(on=TruncDate("hour", tzinfo=UTC))
        .filter(on__gte=first, on__lte=last)
    )


def _series(sources, starts, monitor_ids, region, metrics) -> dict[int, list[Point]]:
    """Rows of each (queryset, period column) added up per monitor and period, read in one statement."""
    ids = list(dict.fromkeys(monitor_ids))
    for metric in metrics:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    queries = []
    for rows, column in sources:
        rows = rows.filter(monitor_id__in=ids)
        if region is not None:
            rows = rows.filter(region=region)
        queries.append(rows.values_list("monitor_id", column, "probes", "outcomes", *_MS, *metrics))
    found: dict[tuple[int, date | datetime], Stats] = {}
    for monitor_id, start, probes, outcomes, *rest in queries[0].union(*queries[1:], all=True):
        ms, hists = rest[: len(_MS)], rest[len(_MS) :]
        stats = Stats(
            probes,
            outcomes,
            *ms,
            histograms={metric: histogram.from_json(h) for metric, h in zip(metrics, hists, strict=True)},
        )
        key = (monitor_id, start)
        found[key] = found[key] + stats if key in found else stats
    empty = Stats()
    return {
        monitor_id: [Point(start, found.get((monitor_id, start), empty)) for start in starts]
        for monitor_id in ids
    }
