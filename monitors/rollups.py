"""Rollups per monitor, region and hour or day: sums of stored results, added in SQL.

A rollup row holds sums only (counts by outcome, milliseconds in each confirmed status, histogram
bucket counts), so rows add up exactly across hours, days, regions and monitors, and adding results
in any grouping gives what one pass over all of them gives. One statement per table does the work
inside Postgres, no result travelling to Python: histogram buckets are width_bucket over
histogram.BOUNDS (bisect_right in Python, comparison for comparison) and time is whole milliseconds.
The rollup feed, a writer's late results and a rebuild (which deletes first) all add through here;
who may add what, and when, is monitors/aggregator.py's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.db import connection

from monitors import histogram, partitions, state
from monitors.outcomes import SUCCESS

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HISTOGRAMS = {"ttft": "ttft_ms", "total": "total_ms", "tps": "tokens_per_s"}  # successful probes only


def epoch_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch, floored (the same as floor(extract(epoch ...) * 1000))."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def span(
    status: str, last_probe_at: datetime | None, started_at: datetime, interval_s: int
) -> tuple[int, str]:
    """The span a new result closes: time since the monitor's previous result and the status it held.

    Capped at the staleness limit: past it the status is unknown (state.is_stale) and the time is
    left out rather than booked to the last status seen.
    """
    if last_probe_at is None:
        return 0, ""
    limit = state.Thresholds().stale_intervals * interval_s * 1000
    return max(0, min(epoch_ms(started_at) - epoch_ms(last_probe_at), limit)), status


class Fact(Protocol):
    """What a rollup needs of a stored result (monitors.results.Row has it)."""

    monitor_id: int
    started_at: datetime
    region: str


@dataclass(frozen=True)
class Table:
    name: str
    column: str  # the period column
    period_ms: int
    start: str  # SQL: the period column's value for the period index {p}


HOURLY = Table("monitors_hourlyrollup", "hour", HOUR_MS, "to_timestamp({p} * 3600)")
DAILY = Table("monitors_dailyrollup", "day", DAY_MS, "DATE '1970-01-01' + ({p})::int")
TABLES = (HOURLY, DAILY)
FACTS = "monitor_id, region, outcome, ttft_ms, total_ms, tokens_per_s, span_ms, span_status, started_at"

# {rows}: a query for the results to add (FACTS columns); {own}: which of them count as probes (the
# others only lend their spans). Then the finest table's new sums ({pieces}: the periods that may get
# span time), the coarser tables' derived from them, and for each table the merge into its rows.
_HEAD = """
WITH r AS (
    SELECT monitor_id, region, outcome, ttft_ms, total_ms, tokens_per_s, span_ms, span_status, started_at,
           floor(extract(epoch FROM started_at) * 1000)::bigint AS end_ms
    FROM ({rows}) AS source
), own AS (
    SELECT * FROM r WHERE {own}
)"""
_NEW = """, entries_new_{t} AS (
    SELECT monitor_id, region, end_ms / {period} AS period, 'outcomes' AS name, outcome AS key, count(*) AS n
    FROM own GROUP BY 1, 2, 3, 5
    UNION ALL
    SELECT monitor_id, region, end_ms / {period}, m.name,
           width_bucket(m.value, %(bounds)s::float8[])::text, count(*)
    FROM own, LATERAL (VALUES ('ttft', ttft_ms), ('total', total_ms), ('tps', tokens_per_s)) AS m(name, value)
    WHERE outcome = ANY(%(success)s) AND m.value IS NOT NULL
      AND m.value NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
    GROUP BY 1, 2, 3, 4, 5
), pieces_{t} AS (
    SELECT r.monitor_id, r.region, q.period, r.span_status,
           least(r.end_ms, (q.period + 1) * {period})
             - greatest(r.end_ms - r.span_ms, q.period * {period}) AS ms
    FROM r, generate_series((r.end_ms - r.span_ms) / {period}, (r.end_ms - 1) / {period}) AS q(period)
    WHERE r.span_ms > 0 AND r.span_status IN ('up', 'degraded', 'down', 'unknown', 'paused')
), scalars_new_{t} AS (
    SELECT monitor_id, region, end_ms / {period} AS period, count(*) AS probes,
           0 AS up_ms, 0 AS degraded_ms, 0 AS down_ms, 0 AS unknown_ms
    FROM own GROUP BY 1, 2, 3
    UNION ALL
    SELECT monitor_id, region, period, 0,
           coalesce(sum(ms) FILTER (WHERE span_status = 'up'), 0),
           coalesce(sum(ms) FILTER (WHERE span_status = 'degraded'), 0),
           coalesce(sum(ms) FILTER (WHERE span_status = 'down'), 0),
           coalesce(sum(ms) FILTER (WHERE span_status IN ('unknown', 'paused')), 0)
    FROM pieces_{t} WHERE {pieces} GROUP BY 1, 2, 3
"""
# A coarser table's new sums, added up from the finer one's (a day is 24 whole hours).
_NEW_DERIVED = """, entries_new_{t} AS (
    SELECT monitor_id, region, period / {factor} AS period, name, key, sum(n) AS n
    FROM entries_new_{f} GROUP BY 1, 2, 3, 4, 5
), scalars_new_{t} AS (
    SELECT monitor_id, region, period / {factor} AS period, sum(probes) AS probes, sum(up_ms) AS up_ms,
           sum(degraded_ms) AS degraded_ms, sum(down_ms) AS down_ms, sum(unknown_ms) AS unknown_ms
    FROM scalars_new_{f} GROUP BY 1, 2, 3
"""
_MERGE = """), keys_{t} AS (
    SELECT DISTINCT monitor_id, region, period FROM scalars_new_{t}
), stored_{t} AS (
    SELECT k.monitor_id, k.region, k.period, s.probes, s.up_ms, s.degraded_ms, s.down_ms, s.unknown_ms,
           s.outcomes, s.ttft, s.total, s.tps
    FROM keys_{t} k JOIN {table} s
      ON s.monitor_id = k.monitor_id AND s.region = k.region AND s.{column} = {key_start}
), scalars_{t} AS (
    SELECT monitor_id, region, period, sum(probes) AS probes, sum(up_ms) AS up_ms,
           sum(degraded_ms) AS degraded_ms, sum(down_ms) AS down_ms, sum(unknown_ms) AS unknown_ms
    FROM (SELECT * FROM scalars_new_{t}
          UNION ALL
          SELECT monitor_id, region, period, probes, up_ms, degraded_ms, down_ms, unknown_ms
          FROM stored_{t}) AS a
    GROUP BY 1, 2, 3
), merged_{t} AS (
    -- Only the entries the new results touch: each is added to what the stored map holds for it,
    -- and the stored map is then overlaid with them (jsonb ||), never taken apart.
    SELECT e.monitor_id, e.region, e.period, e.name, e.key,
           e.n + coalesce((CASE e.name WHEN 'outcomes' THEN s.outcomes WHEN 'ttft' THEN s.ttft
                                       WHEN 'total' THEN s.total ELSE s.tps END ->> e.key)::bigint, 0) AS n
    FROM entries_new_{t} e LEFT JOIN stored_{t} s USING (monitor_id, region, period)
), maps_{t} AS (
    SELECT monitor_id, region, period, jsonb_object_agg(name, doc) AS docs
    FROM (SELECT monitor_id, region, period, name, jsonb_object_agg(key, n) AS doc
          FROM merged_{t} GROUP BY 1, 2, 3, 4) AS per_map
    GROUP BY 1, 2, 3
), written_{t} AS (
INSERT INTO {table} AS t (monitor_id, region, {column}, probes, up_ms, degraded_ms, down_ms, unknown_ms,
                          outcomes, ttft, total, tps)
SELECT c.monitor_id, c.region, {row_start}, c.probes, c.up_ms, c.degraded_ms, c.down_ms, c.unknown_ms,
       coalesce(s.outcomes, '{{}}') || coalesce(m.docs -> 'outcomes', '{{}}'),
       coalesce(s.ttft, '{{}}') || coalesce(m.docs -> 'ttft', '{{}}'),
       coalesce(s.total, '{{}}') || coalesce(m.docs -> 'total', '{{}}'),
       coalesce(s.tps, '{{}}') || coalesce(m.docs -> 'tps', '{{}}')
FROM scalars_{t} c
LEFT JOIN maps_{t} m USING (monitor_id, region, period)
LEFT JOIN stored_{t} s USING (monitor_id, region, period)
ON CONFLICT (monitor_id, region, {column}) DO UPDATE SET
    probes = excluded.probes, up_ms = excluded.up_ms, degraded_ms = excluded.degraded_ms,
    down_ms = excluded.down_ms, unknown_ms = excluded.unknown_ms, outcomes = excluded.outcomes,
    ttft = excluded.ttft, total = excluded.total, tps = excluded.tps
RETURNING 1
)
"""


def add_sql(rows: str, own: str = "true", pieces: str = "true", tables: Sequence[Table] = TABLES) -> str:
    """One statement adding the results that `rows` selects into every table, returning how many
    counted as probes. `own` picks the results that count as probes (the others only lend their
    spans); `pieces` the periods of the finest table that may receive span time (`{t}` in it stands
    for its period column). The coarser tables' sums are added up from the finest's. Parameters:
    the fragments' and `PARAMS`."""
    finest = tables[0]
    blocks = []
    for table in tables:
        names = {"t": table.column, "table": table.name, "column": table.column}
        if table is finest:
            blocks.append(_NEW.format(**names, pieces=pieces.format(t=table.column), period=table.period_ms))
        else:
            blocks.append(
                _NEW_DERIVED.format(**names, f=finest.column, factor=table.period_ms // finest.period_ms)
            )
        blocks.append(
            _MERGE.format(
                **names,
                key_start=table.start.format(p="k.period"),
                row_start=table.start.format(p="c.period"),
            )
        )
    return _HEAD.format(rows=rows, own=own) + "".join(blocks) + "\nSELECT count(*) FROM own\n"


PARAMS = {"bounds": list(histogram.BOUNDS), "success": [str(o) for o in SUCCESS]}
_RANGE = f"SELECT {FACTS} FROM {partitions.PARENT} WHERE started_at >= %(low)s AND started_at < %(high)s"  # noqa: S608
_KEYS = (
    f"SELECT {FACTS} FROM {partitions.PARENT} "  # noqa: S608
    "JOIN unnest(%(m)s::bigint[], %(t)s::timestamptz[], %(g)s::text[]) AS k(monitor_id, started_at, region) "
    "USING (monitor_id, started_at, region) WHERE started_at >= %(low)s AND started_at <= %(high)s"
)
_ADD_RANGE = add_sql(_RANGE)
_ADD_KEYS = add_sql(_KEYS)


def add_range(low: datetime, high: datetime) -> int:
    """Add every stored result that started in [low, high) (the feed); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(_ADD_RANGE, {**PARAMS, "low": low, "high": high})
        return cursor.fetchone()[0]


def add_results(rows: Sequence[Fact]) -> None:
    """Add these stored results (a writer's late ones), found by their unique key."""
    if not rows:
        return
    keys = {
        "m": [r.monitor_id for r in rows],
        "t": [r.started_at for r in rows],
        "g": [r.region for r in rows],
        "low": min(r.started_at for r in rows),
        "high": max(r.started_at for r in rows),
    }
    with connection.cursor() as cursor:
        cursor.execute(_ADD_KEYS, {**PARAMS, **keys})
