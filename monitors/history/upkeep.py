"""Keep history bounded: result partitions made ahead, and raw results and hourly rollups retired."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from monitors.history import aggregator, partitions

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
    folded = fold_totals(totals_bound(today, mark))
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


def totals_bound(today: date, mark: datetime | None) -> date:
    """The day /metrics' running totals hold every day before: yesterday, so a span reaching back over
    midnight never lands in a folded day, and never past the hours folded into days (a feed running
    behind). A scrape then reads about two days of daily rows however long the history is; a rebuild
    or backfill of folded days recounts the totals (`retotal`)."""
    bound = today - timedelta(days=1)
    return min(bound, partitions.utc_day(mark)) if mark else bound


def fold_totals(through: date) -> int:
    """Add the daily rollups of the days before `through` not folded yet to the running totals, so
    /metrics reads the totals and the days since rather than every day ever rolled up. Returns the
    (monitor, region) totals moved on; running it again with the same day adds nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ONE_AT_A_TIME)
        cursor.execute(
            "SELECT coalesce(max(through), '-infinity'::date) < %s FROM monitors_rolluptotal", [through]
        )
        if not cursor.fetchone()[0]:
            return 0
        folded = _fold(cursor, through)
    if folded:
        log.info("folded daily rollups before %s into %d totals", through, folded)
    return folded


def retotal(changed_from: date) -> int:
    """Recount the running totals from the daily rollups if days from `changed_from` on were folded
    already: after a rebuild or a backfill rewrote them, the totals no longer match. Costs a pass over
    every daily rollup before the bound; returns the totals written (0 when none was affected)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ONE_AT_A_TIME)
        cursor.execute("SELECT max(through) FROM monitors_rolluptotal")
        through = cursor.fetchone()[0]
        if through is None or changed_from >= through:
            return 0
        cursor.execute("DELETE FROM monitors_rolluptotal")
        written = _fold(cursor, through)
    log.info("recounted the running totals before %s: %d totals", through, written)
    return written


_ONE_AT_A_TIME = "LOCK TABLE monitors_rolluptotal IN SHARE ROW EXCLUSIVE MODE"


def _fold(cursor, through: date) -> int:
    cursor.execute(_FOLD_SQL, {"through": through})
    folded = cursor.rowcount
    # Every total moves to the same day, folded rows or not: readers take the latest as the bound.
    cursor.execute("UPDATE monitors_rolluptotal SET through = %s WHERE through < %s", [through, through])
    return folded
