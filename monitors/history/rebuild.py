"""Rebuild rollups from raw results: the repair tool, and the check that the incremental path adds up."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from monitors import state
from monitors.history import aggregator, partitions, rollups, upkeep
from monitors.models import Monitor

log = logging.getLogger(__name__)

CHUNK = 200  # monitors per transaction: their row locks hold up their ingestion while it runs

# The results of some monitors from a day on (up to where a span could still reach back into it);
# those of the day count as probes, and span time lands only on the day's periods.
_ROWS = (
    f"SELECT {rollups.FACTS} FROM {{source}} "  # noqa: S608
    "WHERE monitor_id = ANY(%(ids)s) AND started_at >= %(low)s AND started_at < %(ahead)s"
)
_OWN = "started_at < %(high)s"
_PIECES = "period >= %(first_{t})s AND period < %(stop_{t})s"


def rebuild(first: date, last: date, monitor_ids: Sequence[int] | None = None) -> list[date]:
    """Replace the rollups of days first..last (UTC, inclusive) with sums over their raw results.

    Only days whose partition still exists are rebuilt: for the others the rollups are all the
    history there is. Results after the rollup watermark are left to the feed. Returns the days.
    """
    have = partitions.existing()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [day for day in days if day in have]
    ids = list(monitor_ids) if monitor_ids is not None else list(Monitor.objects.values_list("pk", flat=True))
    for day in days:
        for chunk in chunks(sorted(ids), CHUNK):
            _rebuild_day(day, chunk)
        log.info("rebuilt rollups of %s for %d monitors", day, len(ids))
    if days:
        upkeep.retotal(days[0])  # /metrics' running totals may hold the days just rewritten
    return days


def _rebuild_day(day: date, ids: list[int]) -> None:
    with transaction.atomic():
        # What recording holds while it adds late results: the rollup lock shared (so the feed waits)
        # and the monitors' row locks. The rollups hold the results before the watermark, no others.
        watermark = aggregator.share()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM monitors_monitor WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids])
        if watermark is not None:
            replace_day(day, ids, watermark, partitions.PARENT)


def replace_day(day: date, ids: list[int], watermark: datetime, source: str) -> None:
    """Replace these monitors' rollups of `day` with sums over `source` rows started before the
    watermark (`source` is the results table, or a table of synthetic results shaped like it).
    The caller holds the locks `_rebuild_day` takes."""
    low, high = partitions.day_start(day), partitions.day_start(day + timedelta(days=1))
    with connection.cursor() as cursor:
        # A day of results is grouped several ways at once; the default 4 MB would spill to disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SELECT coalesce(max(interval_s), 0) FROM monitors_monitor WHERE id = ANY(%s)", [ids])
        longest = cursor.fetchone()[0]
        # A result just after midnight may close a span reaching back into this day.
        ahead = min(watermark, high + timedelta(seconds=state.Thresholds().stale_intervals * longest))
        cursor.execute(
            "DELETE FROM monitors_hourlyrollup WHERE monitor_id = ANY(%s) AND hour >= %s AND hour < %s",
            [ids, low, high],
        )
        cursor.execute("DELETE FROM monitors_dailyrollup WHERE monitor_id = ANY(%s) AND day = %s", [ids, day])
        cursor.execute(
            rollups.add_sql(_ROWS.format(source=source), _OWN, _PIECES),
            {
                **rollups.PARAMS,
                "ids": ids,
                "low": low,
                "high": min(high, watermark),
                "ahead": ahead,
                **{f"first_{t.column}": rollups.epoch_ms(low) // t.period_ms for t in rollups.TABLES},
                **{f"stop_{t.column}": rollups.epoch_ms(high) // t.period_ms for t in rollups.TABLES},
            },
        )


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
