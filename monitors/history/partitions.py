"""Daily partitions of the probe results table: created ahead of time, dropped whole for retention."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction

log = logging.getLogger(__name__)

PARENT = "monitors_proberesult"
_NAME = re.compile(rf"^{PARENT}_p(\d{{8}})$")
# Days created ahead by the periodic task (and at migration), so a missed run or two costs nothing.
AHEAD_DAYS = 7
# Serialises partition creation between concurrent writers (any constant unique to this purpose).
_CREATE_LOCK = 0x5052_5452  # "PRTR"


class RetentionError(RuntimeError):
    """Partitions can only be detached without blocking writers outside a transaction."""


def name(day: date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def existing() -> dict[date, str]:
    """Attached daily partitions by day (partitions being detached are left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass AND NOT i.inhdetachpending
            """,
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    return {datetime.strptime(m[1], "%Y%m%d").date(): n for n in names if (m := _NAME.match(n))}


def ensure(first: date, last: date) -> list[str]:
    """Create the missing partitions for days first..last (inclusive); returns the names created.

    Each is created as a plain table and then attached, which locks the parent only in SHARE UPDATE
    EXCLUSIVE mode: inserts and reads carry on, where CREATE TABLE ... PARTITION OF would stop them.
    """
    if last < first:
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CREATE_LOCK])
        have = existing()
        day = first
        while day <= last:
            if day not in have:
                _create(cursor, day)
                created.append(name(day))
            day += timedelta(days=1)
    if created:
        log.info("created result partitions %s", ", ".join(created))
    return created


def _create(cursor, day: date) -> None:
    # DDL takes no bind parameters; these literals are formatted from dates, never from input.
    table = name(day)
    low = f"'{day_start(day).isoformat()}'"
    high = f"'{day_start(day + timedelta(days=1)).isoformat()}'"
    cursor.execute(f'CREATE TABLE "{table}" (LIKE "{PARENT}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    # The matching CHECK lets ATTACH skip its validation scan; it is redundant once attached.
    check = f"started_at >= {low} AND started_at < {high}"
    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_range" CHECK ({check})')
    cursor.execute(f'ALTER TABLE "{PARENT}" ATTACH PARTITION "{table}" FOR VALUES FROM ({low}) TO ({high})')
    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{table}_range"')


def ensure_for(moments) -> list[str]:
    """Partitions for the days of these timestamps (the write path's fallback for a missing day)."""
    days = {utc_day(moment) for moment in moments}
    created = []
    for day in sorted(days):
        created += ensure(day, day)
    return created


def drop_before(cutoff: date) -> list[str]:
    """Drop every partition holding only days before `cutoff`; returns the names dropped.

    DETACH ... CONCURRENTLY takes no lock that blocks inserts or reads of the other days, and the
    detached table is then dropped alone. It cannot run inside a transaction block.
    """
    if connection.in_atomic_block:
        raise RetentionError("drop_before must run outside a transaction (DETACH ... CONCURRENTLY)")
    dropped = []
    with connection.cursor() as cursor:
        for table in _pending_detach(cursor):
            # A detach interrupted half-way (a killed worker) is finished before anything else.
            cursor.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{table}" FINALIZE')
            cursor.execute(f'DROP TABLE "{table}"')
            dropped.append(table)
        for day, table in sorted(existing().items()):
            if day >= cutoff:
                break
            cursor.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{table}" CONCURRENTLY')
            cursor.execute(f'DROP TABLE "{table}"')
            dropped.append(table)
    if dropped:
        log.info("dropped result partitions %s", ", ".join(dropped))
    return dropped


def _pending_detach(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = %s::regclass AND i.inhdetachpending
        """,
        [PARENT],
    )
    return [row[0] for row in cursor.fetchall()]
