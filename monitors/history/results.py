"""Write probe results with COPY into the day-partitioned table; the unique key catches a replayed batch."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

import psycopg.errors
from django.db import connection, transaction

from monitors.history import partitions
from monitors.models import ProbeResult
from monitors.probes.base import Observation

# A provider's garbage can be any length; the row keeps what fits rather than failing the batch.
_LIMITS = {f: ProbeResult._meta.get_field(f).max_length for f in ("error_type", "message", "region")}


class Row(NamedTuple):
    """One results row in COPY column order."""

    monitor_id: int
    started_at: datetime
    region: str
    outcome: str
    http_status: int | None
    error_type: str
    message: str
    connect_ms: float | None
    ttfb_ms: float | None
    ttft_ms: float | None
    total_ms: float | None
    tokens_out: int | None
    tokens_estimated: bool
    tokens_per_s: float | None
    itl_max_ms: float | None
    details: str  # JSON text
    span_ms: int
    span_status: str


_COPY = f"COPY {partitions.PARENT} ({', '.join(Row._fields)}) FROM STDIN"


class AlreadyStored(Exception):
    """Some of these results are stored already: the batch is being applied a second time."""


def row(observation: Observation, span_ms: int = 0, span_status: str = "") -> Row:
    o = observation
    return Row(
        o.monitor_id,
        o.started_at,
        (o.region or "")[: _LIMITS["region"]],
        str(o.outcome),
        _within(o.http_status, 0, 32_767),
        (o.error_type or "")[: _LIMITS["error_type"]],
        (o.message or "")[: _LIMITS["message"]],
        o.connect_ms,
        o.ttfb_ms,
        o.ttft_ms,
        o.total_ms,
        _within(o.tokens_out, 0, 2**31 - 1),
        o.tokens_estimated,
        o.tokens_per_s,
        o.itl_max_ms,
        json.dumps(o.details) if o.details else "{}",  # most have none: 2 µs a row of json.dumps saved
        span_ms,
        span_status,
    )


def _within(value: int | None, low: int, high: int) -> int | None:
    # Out of the column's range is garbage from the far side; keep the row, drop the number.
    return value if value is not None and low <= value <= high else None


def key(item: Observation | Row) -> tuple[int, datetime, str]:
    """The unique (monitor, started_at, region) of a result, as stored."""
    return item.monitor_id, item.started_at, (item.region or "")[: _LIMITS["region"]]


def copy(rows: Sequence[Row]) -> None:
    """Insert rows in one COPY, inside the caller's transaction.

    A day without a partition yet (the periodic task missed it) gets one and the COPY runs again.
    Raises AlreadyStored if any row's (monitor, started_at, region) is stored already: the caller
    rolls back and stores only the new rows (monitors/recording.py).
    """
    if not rows:
        return
    try:
        with transaction.atomic():  # a savepoint, so a missing partition costs a retry, not the batch
            _copy(rows)
    except psycopg.errors.CheckViolation as exc:
        if "no partition" not in (exc.diag.message_primary or ""):
            raise
        partitions.ensure_for(r.started_at for r in rows)
        _copy(rows)


def _copy(rows: Sequence[Row]) -> None:
    try:
        with connection.cursor() as cursor, cursor.copy(_COPY) as pipe:
            for r in rows:
                pipe.write_row(r)
    except psycopg.errors.UniqueViolation as exc:
        raise AlreadyStored(str(exc)) from exc


def stored(keys: Iterable[tuple[int, datetime, str]]) -> set[tuple[int, datetime, str]]:
    """Which of these (monitor, started_at, region) keys are stored."""
    keys = list(keys)
    if not keys:
        return set()
    monitor_ids, moments, regions = zip(*keys, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.monitor_id, r.started_at, r.region
            FROM {partitions.PARENT} r
            JOIN unnest(%s::bigint[], %s::timestamptz[], %s::text[]) AS k(monitor_id, started_at, region)
              ON r.monitor_id = k.monitor_id AND r.started_at = k.started_at AND r.region = k.region
            """,  # noqa: S608 - the table name is a constant
            [list(monitor_ids), list(moments), list(regions)],
        )
        return set(cursor.fetchall())
