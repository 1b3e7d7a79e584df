"""History readings for the page: per-day uptime cells and uptime percentages.

Every reading is bounded by components x days (or hours), never by how many probe results exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q

from monitors.history import histogram
from monitors.history.histogram import Histogram
from statuspage.components import uptime as component_uptime
from statuspage.components.models import Component
from statuspage.incidents.models import Incident

DAYS = 90


@dataclass(frozen=True)
class Day:
    date: date
    uptime: float | None  # fraction of the day up; None before the component existed
    incidents: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        """A colour bucket, backed on the page by the bar's height and the day's text."""
        if self.uptime is None:
            return "none"
        if self.uptime >= 0.9999:
            return "minor" if self.incidents else "ok"
        if self.uptime >= 0.99:
            return "minor"
        return "major" if self.uptime >= 0.95 else "critical"


def day_cells(components: Sequence[Component], now: datetime, days: int = DAYS) -> dict[int, list[Day]]:
    """Per component, the last `days` UTC days, oldest first, today last (so far).

    Uptime is the one definition (statuspage/components/uptime.py, docs/uptime.md): time-weighted from
    the component's status intervals; the incidents named on a day are only its tooltip.
    """
    window_start = datetime.combine(now.date() - timedelta(days=days - 1), time.min, tzinfo=now.tzinfo)
    outages = _incident_intervals(components, window_start, now)
    measured = component_uptime.daily(components, days, now)
    cells: dict[int, list[Day]] = {}
    for component in components:
        mine = outages.get(component.pk, [])
        row = []
        for point in measured[component.pk]:
            start = datetime.combine(point.day, time.min, tzinfo=now.tzinfo)
            end = min(start + timedelta(days=1), now)
            names = tuple(dict.fromkeys(o.name for o in mine if o.start < end and o.end > start))
            row.append(Day(point.day, point.uptime, names))
        cells[component.pk] = row
    return cells


def uptime(cells: Iterable[Day]) -> float | None:
    """Uptime over the given days, each day weighted equally; None when no day has data."""
    values = [d.uptime for d in cells if d.uptime is not None]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class _Outage:
    start: datetime
    end: datetime
    name: str


def _incident_intervals(
    components: Sequence[Component], since: datetime, now: datetime
) -> dict[int, list[_Outage]]:
    """Published incidents overlapping the window, as intervals per affected component (for tooltips)."""
    wanted = {c.pk for c in components}
    rows = (
        Incident.objects.filter(published=True, kind=Incident.Kind.INCIDENT, started_at__lt=now)
        .filter(Q(resolved_at=None) | Q(resolved_at__gt=since))
        .prefetch_related("components")
        .only("name", "impact", "started_at", "resolved_at")
    )
    found: dict[int, list[_Outage]] = defaultdict(list)
    for incident in rows:
        outage = _Outage(
            incident.started_at,
            incident.resolved_at or now,
            incident.name,
        )
        for component in incident.components.all():
            if component.pk in wanted:
                found[component.pk].append(outage)
    return found


# The running totals (days folded in by monitors/history/upkeep.py), the daily rollups since, and the hourly
# rollups not folded into their days yet (monitors/history/rollups.py): bounded by the days not in the totals
# (about the raw-result retention) and an hour or so of hourly rows, however long history grows.
_TOTALS_SQL = """
WITH bound AS (SELECT coalesce(max(through), '-infinity'::date) AS since FROM monitors_rolluptotal)
SELECT monitor_id, key, sum(n) FROM (
    SELECT t.monitor_id, item.key, item.value::bigint AS n
    FROM monitors_rolluptotal t, jsonb_each_text(t.{column}) AS item
    WHERE t.monitor_id = ANY(%(ids)s)
    UNION ALL
    SELECT d.monitor_id, item.key, item.value::bigint
    FROM monitors_dailyrollup d, bound, jsonb_each_text(d.{column}) AS item
    WHERE d.monitor_id = ANY(%(ids)s) AND d.day >= bound.since
    UNION ALL
    SELECT h.monitor_id, item.key, item.value::bigint
    FROM monitors_hourlyrollup h, jsonb_each_text(h.{column}) AS item
    WHERE h.monitor_id = ANY(%(ids)s)
      AND h.hour >= (SELECT folded FROM monitors_rollupprogress WHERE id = 1)
) AS all_parts
GROUP BY 1, 2
"""
PROMETHEUS_LE = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)  # seconds

Buckets = dict[int, tuple[list[tuple[float, int]], float, int]]


def outcome_totals(monitor_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per monitor, probe results by outcome since records began (daily rollups are kept forever and
    folded into running totals once final, so the sums only grow: a Prometheus counter)."""
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for monitor_id, outcome, count in _sum_json("outcomes", monitor_ids):
        totals[monitor_id][outcome] = int(count)
    return totals


def latency_buckets(monitor_ids: Sequence[int]) -> Buckets:
    """Per monitor, cumulative (upper bound in seconds, count) pairs, the sum in seconds and the count
    of successful probes' total time since records began."""
    return _prometheus("total", monitor_ids)


def ttft_buckets(monitor_ids: Sequence[int]) -> Buckets:
    return _prometheus("ttft", monitor_ids)


def _sum_json(column: str, monitor_ids: Sequence[int]) -> list[tuple[int, str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL.format(column=column), {"ids": list(monitor_ids)})
        return cursor.fetchall()


def _prometheus(column: str, monitor_ids: Sequence[int]) -> Buckets:
    """Our fine log-scale buckets folded into Prometheus' usual bounds; a fine bucket counts under the
    first bound at or above its upper edge, and the sum takes each bucket's midpoint (we keep no sums)."""
    merged: dict[int, Histogram] = defaultdict(dict)
    for monitor_id, index, count in _sum_json(column, monitor_ids):
        merged[monitor_id][int(index)] = int(count)
    out: Buckets = {}
    for monitor_id, counts in merged.items():
        cumulative = []
        for le in PROMETHEUS_LE:
            cumulative.append((le, sum(n for i, n in counts.items() if histogram.bounds(i)[1] <= le * 1000)))
        total_s = sum(n * sum(histogram.bounds(i)) / 2000 for i, n in counts.items())
        out[monitor_id] = (cumulative, total_s, sum(counts.values()))
    return out
