"""Feed stored results into the rollups behind a watermark that recording and the feed agree on.

Invariant: the rollups hold exactly the results that started before the watermark. The feed (a
periodic task) moves it on, adding each result once; a writer whose results started before the
watermark adds them itself. Writers hold the rollup lock shared and the feed holds it alone, so no
result slips between the two: a writer that read the old watermark commits before the feed looks.

Adding per feed run rather than per batch writes each rollup row once per run instead of once per
result, which is what lets the write path keep up with COPY (bench/history.py). A second watermark,
`folded`, trails it by up to an hour: the feed adds to hourly rollups only, and adds whole hours to
the daily ones as they pass (rollups.fold), so a day's large maps are rewritten once an hour rather
than on every run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from monitors.history import partitions, rollups

log = logging.getLogger(__name__)

LOCK = 0x524F_4C4C  # "ROLL": the rollup lock, an advisory lock shared by writers and taken by the feed
STEP = timedelta(minutes=10)  # results per feed transaction, so a long outage is caught up in steps


def share() -> datetime | None:
    """Hold the rollup lock shared until the end of this transaction; return the watermark.

    Read after the lock is granted, by a statement of its own (its own snapshot): a feed run that
    committed meanwhile has moved it. Both go in one round trip, as every batch pays for it.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock_shared({LOCK}); {_WATERMARK}")
        cursor.nextset()
        row = cursor.fetchone()
        return row[0] if row else None


def add_late(rows: list[rollups.Fact], watermark: datetime | None) -> int:
    """The writer's part: add its stored rows that started before the watermark (the feed is past
    them). The caller holds the lock shared (`share`) and its monitors' row locks."""
    late = [row for row in rows if watermark is not None and row.started_at < watermark]
    rollups.add_results(late)
    return len(late)


def catch_up(now: datetime, settle: timedelta) -> int:
    """Add every result that started before now - settle and is not in the rollups yet.

    `settle` lets a batch in flight commit first, so it rarely has to add its own results late.
    Returns the number of results added. Safe to run twice at once: the lock serialises runs.
    """
    added, step, target = 0, STEP, now - settle
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # Rollups are derived from stored results, so the commit does not wait for the disk: a
            # crash may lose this transaction whole (never part of it, and never while keeping a
            # later commit, whose flush writes the WAL before it), and the next run adds it again.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s), set_config('synchronous_commit', 'off', true)", [LOCK]
            )
            through = _watermark(cursor)
            if through is None:  # nothing added yet: start at the oldest day still stored
                days = partitions.existing()
                through = partitions.day_start(min(days)) if days else target
            upto = min(target, through + step)
            if upto <= through:
                return added
            if step > STEP and _any_results(cursor, through, upto):
                # A stride over a quiet stretch has reached data: back to a small step, or one
                # transaction would add hours of results while every writer waits on the lock.
                step, upto = STEP, min(target, through + STEP)
            rows = rollups.add_range(through, upto)
            cursor.execute(
                "INSERT INTO monitors_rollupprogress (id, through) VALUES (1, %s) "
                "ON CONFLICT (id) DO UPDATE SET through = excluded.through RETURNING folded",
                [upto],
            )
            _fold(cursor, cursor.fetchone()[0], upto)
        added += rows
        # Stride over quiet stretches (a first run, a long outage); back to small steps at the data.
        step = STEP if rows else min(step * 2, timedelta(days=1))
        if upto >= target:
            log.debug("rollups through %s (+%d results)", upto, added)
            return added


def _fold(cursor, folded: datetime | None, through: datetime) -> None:
    """Move the fold watermark to the last hour boundary at or before `through`, adding the hours
    passed to the daily rollups. The caller holds the rollup lock alone."""
    if folded is None:
        # Until now every addition went to the daily rollups as well: they hold every hour that
        # has anything, and the next boundary is the first hour with nothing in it yet.
        upto = _hour(through) + (timedelta(hours=1) if through != _hour(through) else timedelta(0))
    else:
        upto = _hour(through)
        if upto <= folded:
            return
        rollups.fold(folded, upto)
    cursor.execute("UPDATE monitors_rollupprogress SET folded = %s WHERE id = 1", [upto])


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def folded() -> datetime | None:
    """The fold watermark (None: daily rollups are complete, nothing waits to be folded)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT folded FROM monitors_rollupprogress WHERE id = 1")
        row = cursor.fetchone()
        return row[0] if row else None


def _any_results(cursor, low: datetime, high: datetime) -> bool:
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {partitions.PARENT} WHERE started_at >= %s AND started_at < %s)",  # noqa: S608
        [low, high],
    )
    return cursor.fetchone()[0]


_WATERMARK = "SELECT through FROM monitors_rollupprogress WHERE id = 1"


def _watermark(cursor) -> datetime | None:
    # No row reads as "nothing added yet" (a flushed test database has none).
    cursor.execute(_WATERMARK)
    row = cursor.fetchone()
    return row[0] if row else None
