"""The one definition of uptime (docs/uptime.md): time-weighted over status intervals, partial 0.3.

    uptime = 1 - sum(weight(status) * time in status) / time observed

Monitors: down weighs 1; up and degraded 0 (slow is not down); unknown and paused are not observed.
Components: major_outage weighs 1, partial_outage 0.3 (as Statuspage counts it); degraded
performance and maintenance count as up. The page, the API and the badges all call this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from monitors.state import DOWN, PAUSED, UNKNOWN

MONITOR_WEIGHTS: Mapping[str, float] = {DOWN: 1.0}
MONITOR_UNOBSERVED = frozenset({UNKNOWN, PAUSED})
COMPONENT_WEIGHTS: Mapping[str, float] = {"major_outage": 1.0, "partial_outage": 0.3}


def uptime(
    ms_by_status: Mapping[str, float],
    weights: Mapping[str, float],
    unobserved: Collection[str] = (),
) -> float | None:
    """The fraction of observed time that counts as up, in [0, 1]; None when nothing was observed."""
    observed = sum(ms for status, ms in ms_by_status.items() if status not in unobserved)
    if observed <= 0:
        return None
    down = sum(
        weights.get(status, 0.0) * ms for status, ms in ms_by_status.items() if status not in unobserved
    )
    return max(0.0, 1.0 - down / observed)


def monitor_uptime(up_ms: float, degraded_ms: float, down_ms: float) -> float | None:
    """`uptime` with the monitor weights, spelled out for the 90 x monitors bars of a page."""
    observed = up_ms + degraded_ms + down_ms
    return 1.0 - down_ms / observed if observed > 0 else None


def downtime_ms(ms_by_status: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Weighted downtime, what Statuspage colours its bars by (a partial minute counts 0.3)."""
    return sum(weights.get(status, 0.0) * ms for status, ms in ms_by_status.items())


def time_in_status(
    initial: str, changes: Sequence[tuple[datetime, str]], start: datetime, end: datetime
) -> dict[str, float]:
    """Milliseconds spent in each status over [start, end), given the status before the first of the
    (moment, new status) changes, sorted by moment; the changes before `start` only set the status."""
    spent: dict[str, float] = defaultdict(float)
    current, since = initial, start
    for moment, status in changes:
        if moment <= start:
            current = status
            continue
        if moment >= end:
            break
        spent[current] += (moment - since) / timedelta(milliseconds=1)
        current, since = status, moment
    if end > since:
        spent[current] += (end - since) / timedelta(milliseconds=1)
    return dict(spent)


def daily_ms(
    initial: str,
    changes: Sequence[tuple[datetime, str]],
    first: date,
    days: int,
    now: datetime,
    existed_from: datetime | None = None,
) -> list[dict[str, float]]:
    """Time in each status for `days` UTC days from `first`, each day cut at `now` and before
    `existed_from` (a day entirely outside is empty: no uptime, rather than 100 %)."""
    ordered = sorted(changes)
    since = existed_from or datetime.min.replace(tzinfo=UTC)
    out = []
    for n in range(days):
        day = first + timedelta(days=n)
        start = max(datetime.combine(day, time.min, tzinfo=UTC), since)
        end = min(datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC), now)
        out.append(time_in_status(initial, ordered, start, end) if end > start else {})
    return out
