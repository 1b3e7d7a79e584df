"""Keep history bounded: result partitions made ahead, and raw results and hourly rollups retired."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction

from monitors import aggregator, partitions

log = logging.getLogger(__name__)

TRIM_CHUNK = 10_000  # hourly rollup rows deleted per transaction


def run(now: datetime, *, raw_days: int, hourly_days: int) -> dict[str, int]:
    """One pass; every step is idempotent, so a missed or doubled run costs nothing."""
    today = partitions.utc_day(now)
    created = partitions.ensure(today, today + timedelta(days=partitions.AHEAD_DAYS))
    dropped = drop_raw_results(today - timedelta(days=raw_days))
    # Hourly rollups not folded into their days yet are all those days have (never, at two days and up).
    mark = aggregator.folded()
    trimmed = trim_hourly_rollups(min(now - timedelta(days=hourly_days), mark or now))
    # Days without raw results can no longer be rebuilt: their daily rollups are final once folded.
    through = today - timedelta(days=raw_days)
    folded = fold_totals(min(through, partitions.utc_day(mark)) if mark else through)
    return {"created": len(created), "dropped": len(dropped), "trimmed": trimmed, "folded": folded}


def drop_raw_results(before) -> list[str]:
    """Drop the result partitions of days before `before`; rollups are untouched.

    Never a day the rollup feed has not finished: results it has not added would be lost.
    """
    with transaction.atomic():
        watermark = aggregator.share()
    if watermark is None:
        return []
    return partitions.drop_before(min(before, partitions.utc_day(watermark)))


def trim_hourly_rollups(before: datetime) -> int:
    """Delete hourly rollups older than `before`, a chunk per transaction; daily rollups stay."""
    trimmed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM monitors_hourlyrollup WHERE id IN "
                "(SELECT id FROM monitors_hourlyrollup WHERE hour < %s LIMIT %s)",
                [before, TRIM_CHUNK],
            )
            trimmed += cursor.rowcount
        if cursor.rowcount < TRIM_CHUNK:
            if trimmed:
                log.info("trimmed %d hourly rollups before %s", trimmed, before)
            return trimmed


# Each map of the daily rows folded in, added up key by key, then added to the stored total.
_FOLD = """
WITH bound AS (
    SELECT coalesce(max(through), '-infinity'::date) AS since FROM monitors_rolluptotal
), items AS (
    SELECT d.monitor_id, d.region, m.name, e.key, sum(e.value::bigint) AS n
    FROM monitors_dailyrollup d, bound,
         LATERAL (VALUES ('outcomes', d.outcomes), ('ttft', d.ttft), ('total', d.total)) AS m(name, doc),
         jsonb_each_text(m.doc) AS e
    WHERE d.day >= bound.since AND d.day < %(through)s
    GROUP BY 1, 2, 3, 4
), new AS (
    SELECT monitor_id, region,
           coalesce(jsonb_object_agg(key, n) FILTER (WHERE name = 'outcomes'), '{}') AS outcomes,
           coalesce(jsonb_object_agg(key, n) FILTER (WHERE name = 'ttft'), '{}') AS ttft,
           coalesce(jsonb_object_agg(key, n) FILTER (WHERE name = 'total'), '{}') AS total
    FROM items GROUP BY 1, 2
)
INSERT INTO monitors_rolluptotal AS t (monitor_id, region, through, outcomes, ttft, total)
SELECT monitor_id, region, %(through)s, outcomes, ttft, total FROM new
ON CONFLICT (monitor_id, region) DO UPDATE SET through = excluded.through, {merge}
"""
_FOLD_SQL = _FOLD.replace(
    "{merge}",
    ", ".join(
        f"{m} = (SELECT t.{m} || coalesce(jsonb_object_agg(e.key, e.value::bigint"  # noqa: S608 - constants
        f" + coalesce((t.{m} ->> e.key)::bigint, 0)), '{{}}') FROM jsonb_each_text(excluded.{m}) AS e)"
        for m in ("outcomes", "ttft", "total")
    ),
)


def fold_totals(through) -> int:
    """Add the daily rollups of the days before `through` not folded yet to the running totals, so
    /metrics reads the totals and the days since rather than every day ever rolled up. Returns the
    (monitor, region) totals moved on; running it again with the same day adds nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE monitors_rolluptotal IN SHARE ROW EXCLUSIVE MODE")  # one fold at a time
        cursor.execute(
            "SELECT coalesce(max(through), '-infinity'::date) < %s FROM monitors_rolluptotal", [through]
        )
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(_FOLD_SQL, {"through": through})
        folded = cursor.rowcount
        # Every total moves to the same day, folded rows or not: readers take the latest as the bound.
        cursor.execute("UPDATE monitors_rolluptotal SET through = %s WHERE through < %s", [through, through])
    if folded:
        log.info("folded daily rollups before %s into %d totals", through, folded)
    return folded
