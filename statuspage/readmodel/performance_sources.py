"""Where performance sums come from: hourly and daily rollups, and the raw results not in them yet.

A rollup holds every stored result that started before the feed's watermark (RollupProgress.through);
the results from the watermark on are read raw and added as the rollups would add them (histograms of
successful probes in the same buckets, time in status from each result's span), so the two never
count a result twice and the sum is what the rollups will say once the feed has run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import Subquery

from monitors.history import histogram
from monitors.history.reads import Stats
from monitors.history.rollups import HISTOGRAMS
from monitors.models import DailyRollup, HourlyRollup, ProbeResult, RollupProgress
from monitors.outcomes import SUCCESS

# Raw results read past the watermark at most this far back: with the feed stopped for longer, the
# charts miss the gap rather than reading an unbounded stretch of raw results on every render.
RAW_TAIL_LIMIT = timedelta(hours=6)
_MS = ("up_ms", "degraded_ms", "down_ms", "unknown_ms")
_SPAN_FIELD = {"up": "up_ms", "degraded": "degraded_ms", "down": "down_ms", "unknown": "unknown_ms"}


@dataclass(frozen=True)
class Cell:
    """Sums for one monitor and region over one rollup period (or one raw result) starting at `at`."""

    monitor_id: int
    region: str
    at: datetime
    stats: Stats


def read(ids: Sequence[int], source: str, start: datetime, end: datetime, now: datetime) -> list[Cell]:
    """Everything stored for these monitors in [start, end): raw only, or rollups plus the raw tail."""
    if not ids:
        return []
    if source == "raw":
        return raw(ids, start, end)
    through = RollupProgress.objects.filter(pk=1).values_list("through", flat=True).first()
    tail_from = max(start, through or start, now - RAW_TAIL_LIMIT)
    rolled = hourly(ids, start, end) if source == "hourly" else daily(ids, start, end)
    return rolled + raw(ids, tail_from, end)


def raw(ids: Sequence[int], start: datetime, end: datetime) -> list[Cell]:
    """One cell per stored result in [start, end), summed as the rollup feed sums it."""
    rows = ProbeResult.objects.filter(monitor_id__in=ids, started_at__gte=start, started_at__lt=end)
    columns = (
        "monitor_id",
        "region",
        "started_at",
        "outcome",
        "span_ms",
        "span_status",
        *HISTOGRAMS.values(),
    )
    cells = []
    for monitor_id, region, started_at, outcome, span_ms, span_status, *values in rows.values_list(*columns):
        hists = {}
        if outcome in SUCCESS:
            for metric, value in zip(HISTOGRAMS, values, strict=True):
                if value is not None and math.isfinite(value):
                    hists[metric] = {histogram.bucket(value): 1}
        ms = dict.fromkeys(_MS, 0)
        field = _SPAN_FIELD.get("unknown" if span_status == "paused" else span_status)
        if field and span_ms:
            ms[field] = span_ms
        stats = Stats(1, {outcome: 1}, **ms, histograms=hists)
        cells.append(Cell(monitor_id, region, started_at, stats))
    return cells


def hourly(ids: Sequence[int], start: datetime, end: datetime) -> list[Cell]:
    rows = HourlyRollup.objects.filter(monitor_id__in=ids, hour__gte=start, hour__lt=end)
    return _cells(rows.values_list("monitor_id", "region", "hour", *_COLUMNS))


def daily(ids: Sequence[int], start: datetime, end: datetime) -> list[Cell]:
    """Daily rows, and the hourly rows the daily ones do not hold yet (from the fold watermark on),
    each hour as its own cell: a reader bins it into its day."""
    first, last = start.astimezone(UTC).date(), (end - timedelta(microseconds=1)).astimezone(UTC).date()
    days = DailyRollup.objects.filter(monitor_id__in=ids, day__gte=first, day__lte=last)
    mark = RollupProgress.objects.filter(pk=1).values("folded")[:1]
    hours = HourlyRollup.objects.filter(monitor_id__in=ids, hour__gte=Subquery(mark), hour__lt=end)
    hours = hours.filter(hour__gte=start)
    found = [
        Cell(c.monitor_id, c.region, datetime.combine(c.at, time.min, tzinfo=UTC), c.stats)
        for c in _cells(days.values_list("monitor_id", "region", "day", *_COLUMNS))
    ]
    return found + _cells(hours.values_list("monitor_id", "region", "hour", *_COLUMNS))


_COLUMNS = ("probes", "outcomes", *_MS, *HISTOGRAMS)


def _cells(rows) -> list[Cell]:
    cells = []
    for monitor_id, region, at, probes, outcomes, *rest in rows:
        ms, hists = rest[: len(_MS)], rest[len(_MS) :]
        stats = Stats(
            probes,
            outcomes,
            *ms,
            histograms={m: histogram.from_json(h) for m, h in zip(HISTOGRAMS, hists, strict=True) if h},
        )
        cells.append(Cell(monitor_id, region, at, stats))
    return cells
