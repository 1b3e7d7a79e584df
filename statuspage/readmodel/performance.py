"""Performance series per component: TTFT, latency, tokens/s, success and outcome mix, per region.

Rollups for whatever they hold, raw results for what they do not hold yet (the feed's watermark
lags live results by minutes), so a chart has data from the first probe. The finest range reads raw
results only: its two-minute steps are finer than any rollup. Every read is bounded by monitors x
steps, or by the raw results of a short window, never by the length of history.

    perf = series(monitor_ids, RANGES["24h"], now)
    perf.buckets[-1].ttft_p50, perf.regions["eu"][-1].success_rate, perf.summary.outcomes
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitors.history import histogram
from monitors.history.reads import Stats
from monitors.outcomes import OURS, SUCCESS
from statuspage.readmodel import performance_sources as sources
from statuspage.readmodel.performance_sources import Cell


@dataclass(frozen=True)
class Range:
    name: str
    span: timedelta
    step: timedelta
    source: str  # "raw", "hourly" or "daily": where the closed periods come from

    @property
    def steps(self) -> int:
        return self.span // self.step


RANGES: dict[str, Range] = {
    r.name: r
    for r in (
        Range("1h", timedelta(hours=1), timedelta(minutes=2), "raw"),
        Range("24h", timedelta(hours=24), timedelta(hours=1), "hourly"),
        Range("7d", timedelta(days=7), timedelta(hours=4), "hourly"),
        Range("30d", timedelta(days=30), timedelta(days=1), "daily"),
        Range("90d", timedelta(days=90), timedelta(days=1), "daily"),
    )
}
DEFAULT_RANGE = "24h"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Figures:
    """One period's (or a whole range's) readings; percentiles are of successful probes only."""

    start: datetime
    probes: int
    outcomes: Mapping[str, int]
    ttft_p50: float | None
    ttft_p95: float | None
    latency_p50: float | None
    latency_p95: float | None
    tps_p50: float | None
    # Successful probes over those that say something about the provider (our own errors left out).
    success_rate: float | None
    ms_by_status: Mapping[str, int]

    @classmethod
    def of(cls, start: datetime, stats: Stats) -> Figures:
        judged = stats.probes - sum(n for outcome, n in stats.outcomes.items() if outcome in OURS)
        ok = sum(n for outcome, n in stats.outcomes.items() if outcome in SUCCESS)
        return cls(
            start=start,
            probes=stats.probes,
            outcomes=dict(stats.outcomes),
            ttft_p50=stats.percentile("ttft", 0.5),
            ttft_p95=stats.percentile("ttft", 0.95),
            latency_p50=stats.percentile("total", 0.5),
            latency_p95=stats.percentile("total", 0.95),
            tps_p50=stats.percentile("tps", 0.5),
            success_rate=round(ok / judged, 4) if judged > 0 else None,
            ms_by_status=stats.ms_by_status,
        )


@dataclass(frozen=True)
class Performance:
    range: Range
    start: datetime
    end: datetime  # exclusive: the end of the current step
    buckets: list[Figures]  # every region merged, oldest first, one per step
    regions: dict[str, list[Figures]]  # per region, when more than one region probed in the range
    summary: Figures  # the whole range
    claims: list[Figures]  # the provider's own status page over the same steps (upstream monitors)

    @property
    def empty(self) -> bool:
        return self.summary.probes == 0


def step_starts(chosen: Range, now: datetime) -> list[datetime]:
    """The steps' starts, oldest first, the current (partial) step last; aligned to the epoch in UTC
    so that hourly and daily steps are whole rollup periods."""
    step_s = int(chosen.step.total_seconds())
    current = EPOCH + timedelta(seconds=int((now - EPOCH).total_seconds()) // step_s * step_s)
    return [current - chosen.step * n for n in range(chosen.steps - 1, -1, -1)]


def series(
    monitor_ids: Iterable[int],
    chosen: Range,
    now: datetime,
    *,
    claim_ids: Iterable[int] = (),
) -> Performance:
    """The range's series for these monitors; `claim_ids` are upstream monitors (the provider's page)."""
    ids, upstream = sorted(set(monitor_ids)), sorted(set(claim_ids))
    starts = step_starts(chosen, now)
    start, end = starts[0], starts[-1] + chosen.step
    cells = sources.read(ids + upstream, chosen.source, start, end, now)
    ours = [c for c in cells if c.monitor_id not in upstream]
    theirs = [c for c in cells if c.monitor_id in upstream]
    regions = sorted({c.region for c in ours})
    by_region = (
        {r: binned([c for c in ours if c.region == r], starts, chosen.step) for r in regions}
        if len(regions) > 1
        else {}
    )
    buckets = binned(ours, starts, chosen.step)
    whole = total(c.stats for c in ours)
    return Performance(
        range=chosen,
        start=start,
        end=end,
        buckets=buckets,
        regions=by_region,
        summary=Figures.of(start, whole),
        claims=binned(theirs, starts, chosen.step) if upstream else [],
    )


def binned(cells: Sequence[Cell], starts: list[datetime], step: timedelta) -> list[Figures]:
    return [Figures.of(s, stats) for s, stats in zip(starts, binned_stats(cells, starts, step), strict=True)]


def binned_stats(cells: Sequence[Cell], starts: list[datetime], step: timedelta) -> list[Stats]:
    """The cells added up per step (a reader wanting one figure need not work out all of them)."""
    first = starts[0]
    per: list[list[Stats]] = [[] for _ in starts]
    for cell in cells:
        index = int((cell.at - first) // step)
        if 0 <= index < len(starts):
            per[index].append(cell.stats)
    return [total(found) for found in per]


def total(items: Iterable[Stats]) -> Stats:
    """Stats added up in one pass (a single one as it is), rather than a new Stats per addition."""
    found = list(items)
    if len(found) == 1:
        return found[0]
    probes, ms = 0, [0, 0, 0, 0]
    outcomes: dict[str, int] = {}
    histograms: dict[str, dict[int, int]] = {}
    for stats in found:
        probes += stats.probes
        ms[0] += stats.up_ms
        ms[1] += stats.degraded_ms
        ms[2] += stats.down_ms
        ms[3] += stats.unknown_ms
        histogram.add(outcomes, stats.outcomes)
        for metric, counts in stats.histograms.items():
            histogram.add(histograms.setdefault(metric, {}), counts)
    return Stats(probes, outcomes, *ms, histograms=histograms)
