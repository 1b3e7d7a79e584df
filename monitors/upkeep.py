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
    trimmed = trim_hourly_rollups(now - timedelta(days=hourly_days))
    return {"created": len(created), "dropped": len(dropped), "trimmed": trimmed}


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
