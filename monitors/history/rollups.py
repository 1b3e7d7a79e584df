"""Rollups per monitor, region and hour or day: sums of stored results, added in SQL.

A rollup row holds sums only (counts by outcome, milliseconds in each confirmed status, histogram
bucket counts), so rows add up exactly across hours, days, regions and monitors, and adding results
in any grouping gives what one pass over all of them gives. One statement per table does the work
inside Postgres, no result travelling to Python: histogram buckets are width_bucket over
histogram.BOUNDS (bisect_right in Python, comparison for comparison) and time is whole milliseconds.
The rollup feed, a writer's late results and a rebuild (which deletes first) all add through here;
who may add what, and when, is monitors/history/aggregator.py's business.

Daily rows hold exactly the hourly rows of the hours before the fold watermark: an addition to a
later hour goes to the hourly table alone, and `fold` adds whole hours to the days once they pass.
Readers of a day add the hourly rows from the watermark on (monitors/history/reads.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.db import connection

from monitors import state
from monitors.history import histogram, partitions
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
# others only lend their spans). Then per table: the new sums per key ({pieces}: the periods of the
# finest table that may get span time; a coarser table's sums are added up from the finest's), and an
# upsert that adds them to what is stored. Adding in place (t.probes + excluded.probes, maps merged key
# by key) reads no stored row up front: the cost follows the results added, never the rows stored, and
# two writers adding to one row at once both count (the row lock orders them).
_HEAD = """
WITH r AS (
    SELECT monitor_id, region, outcome, ttft_ms, total_ms, tokens_per_s, span_ms, span_status, started_at,
           floor(extract(epoch FROM started_at) * 1000)::bigint AS end_ms
    FROM ({rows}) AS source
), own AS NOT MATERIALIZED (  -- a filter over r's rows, not a second copy of them
    SELECT * FROM r WHERE {own}
), folded AS (  -- the fold watermark in ms; no watermark: every hour goes to the daily rollups too
    SELECT coalesce((SELECT floor(extract(epoch FROM folded) * 1000)::bigint
                     FROM monitors_rollupprogress WHERE id = 1), 9223372036854775807) AS ms
)"""
# Outcome counts and histogram buckets of the results {source} selects, per period.
_ENTRIES = """, entries_{t} AS (
    SELECT monitor_id, region, end_ms / {period} AS period, 'outcomes' AS name, outcome AS key, count(*) AS n
    FROM {source} GROUP BY 1, 2, 3, 5
    UNION ALL
    SELECT monitor_id, region, end_ms / {period}, m.name,
           width_bucket(m.value, %(bounds)s::float8[])::text, count(*)
    FROM {source},
         LATERAL (VALUES ('ttft', ttft_ms), ('total', total_ms), ('tps', tokens_per_s)) AS m(name, value)
    WHERE outcome = ANY(%(success)s) AND m.value IS NOT NULL
      AND m.value NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
    GROUP BY 1, 2, 3, 4, 5
)"""
_NEW = """, pieces_{t} AS (
    SELECT r.monitor_id, r.region, q.period, r.span_status,
           least(r.end_ms, (q.period + 1) * {period})
             - greatest(r.end_ms - r.span_ms, q.period * {period}) AS ms
    FROM r, generate_series((r.end_ms - r.span_ms) / {period}, (r.end_ms - 1) / {period}) AS q(period)
    WHERE r.span_ms > 0 AND r.span_status IN ('up', 'degraded', 'down', 'unknown', 'paused')
), sums_{t} AS (
    SELECT monitor_id, region, period, sum(probes) AS probes, sum(up_ms) AS up_ms,
           sum(degraded_ms) AS degraded_ms, sum(down_ms) AS down_ms, sum(unknown_ms) AS unknown_ms
    FROM (
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
    ) AS parts
    GROUP BY 1, 2, 3
"""
# A coarser table's new sums, added up from the finer one's (a day is 24 whole hours), for the finer
# periods before the fold watermark only: later ones reach the coarser table when they are folded
# (fold_sql), so the feed rewrites a day's maps once an hour rather than on every run.
# Its entries come from the results themselves (those before the watermark: a filter, where a sum
# over the finer entries would make Postgres keep a copy of them all), its other sums from the finer.
_NEW_DERIVED = """, sums_{t} AS (
    SELECT monitor_id, region, period / {factor} AS period, sum(probes) AS probes, sum(up_ms) AS up_ms,
           sum(degraded_ms) AS degraded_ms, sum(down_ms) AS down_ms, sum(unknown_ms) AS unknown_ms
    FROM sums_{f}, folded WHERE period < folded.ms / {f_period} GROUP BY 1, 2, 3
"""
_MAPS = ("outcomes", "ttft", "total", "tps")
# Doubled braces: these become part of a template that is .format()ted once per table.
_NEW_MAPS = ", ".join(
    f"coalesce(jsonb_object_agg(key, n) FILTER (WHERE name = '{m}'), '{{{{}}}}') AS {m}" for m in _MAPS
)
_INSERT_MAPS = ", ".join(f"coalesce(m.{m}, '{{{{}}}}')" for m in _MAPS)
# A stored map plus a new one: only the new map's keys are looked up, and the stored map is overlaid
# with their sums (jsonb ||), never taken apart; an empty new map leaves the stored value untouched.
_ADD_MAPS = ",\n    ".join(
    f"{m} = CASE WHEN excluded.{m} = '{{{{}}}}' THEN t.{m} ELSE (SELECT t.{m} || jsonb_object_agg(e.key, "  # noqa: S608 - constants
    f"e.value::bigint + coalesce((t.{m} ->> e.key)::bigint, 0)) FROM jsonb_each_text(excluded.{m}) AS e) END"
    for m in _MAPS
)
_WRITE = f"""), maps_{{t}} AS (
    SELECT monitor_id, region, period, {_NEW_MAPS}
    FROM entries_{{t}} GROUP BY 1, 2, 3
), written_{{t}} AS (
INSERT INTO {{table}} AS t (monitor_id, region, {{column}}, probes, up_ms, degraded_ms, down_ms, unknown_ms,
                          outcomes, ttft, total, tps)
SELECT s.monitor_id, s.region, {{row_start}}, s.probes, s.up_ms, s.degraded_ms, s.down_ms, s.unknown_ms,
       {_INSERT_MAPS}
FROM sums_{{t}} s LEFT JOIN maps_{{t}} m USING (monitor_id, region, period)
ON CONFLICT (monitor_id, region, {{column}}) DO UPDATE SET
    probes = t.probes + excluded.probes, up_ms = t.up_ms + excluded.up_ms,
    degraded_ms = t.degraded_ms + excluded.degraded_ms, down_ms = t.down_ms + excluded.down_ms,
    unknown_ms = t.unknown_ms + excluded.unknown_ms,
    {_ADD_MAPS}
RETURNING 1
)
"""  # noqa: S608 - names are constants


def add_sql(rows: str, own: str = "true", pieces: str = "true", tables: Sequence[Table] = TABLES) -> str:
    """One statement adding the results that `rows` selects into every table, returning how many
    counted as probes. `own` picks the results that count as probes (the others only lend their
    spans); `pieces` the periods of the finest table that may receive span time (`{t}` in it stands
    for its period column). The coarser tables' sums are added up from the finest's periods before
    the fold watermark (RollupProgress.folded). Parameters: the fragments' and `PARAMS`."""
    finest = tables[0]
    blocks = []
    for table in tables:
        names = {"t": table.column, "table": table.name, "column": table.column}
        if table is finest:
            blocks.append(_ENTRIES.format(t=table.column, source="own", period=table.period_ms))
            blocks.append(_NEW.format(**names, pieces=pieces.format(t=table.column), period=table.period_ms))
        else:
            early = "(SELECT own.* FROM own, folded WHERE own.end_ms < folded.ms) AS early"
            blocks.append(_ENTRIES.format(t=table.column, source=early, period=table.period_ms))
            blocks.append(
                _NEW_DERIVED.format(
                    **names,
                    f=finest.column,
                    f_period=finest.period_ms,
                    factor=table.period_ms // finest.period_ms,
                )
            )
        blocks.append(_WRITE.format(**names, row_start=table.start.format(p="s.period")))
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


# The hourly rows of [low, high) added to their days: their maps taken apart, summed per day and key,
# and added to the daily rows as the feed adds (the same _WRITE). Periods are days since the epoch.
_FOLD = f"""
WITH h AS (
    SELECT *, floor(extract(epoch FROM hour) / 86400)::bigint AS period
    FROM {HOURLY.name} WHERE hour >= %(low)s AND hour < %(high)s
), entries_day AS (
    SELECT h.monitor_id, h.region, h.period, m.name, e.key, sum(e.value::bigint) AS n
    FROM h, LATERAL (VALUES {", ".join(f"('{m}', h.{m})" for m in _MAPS)}) AS m(name, doc),
         jsonb_each_text(m.doc) AS e
    GROUP BY 1, 2, 3, 4, 5
), sums_day AS (
    SELECT monitor_id, region, period, sum(probes) AS probes, sum(up_ms) AS up_ms,
           sum(degraded_ms) AS degraded_ms, sum(down_ms) AS down_ms, sum(unknown_ms) AS unknown_ms
    FROM h GROUP BY 1, 2, 3
"""  # noqa: S608 - names are constants
_FOLD_SQL = (
    _FOLD  # noqa: S608 - names are constants
    + _WRITE.format(t="day", table=DAILY.name, column="day", row_start=DAILY.start.format(p="s.period"))
    + "SELECT count(*) FROM written_day\n"
)


def fold(low: datetime, high: datetime) -> int:
    """Add the hourly rollups of hours in [low, high) to the daily ones; returns the rows written.
    The caller moves the fold watermark from `low` to `high` in the same transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_FOLD_SQL, {"low": low, "high": high})
        return cursor.fetchone()[0]
