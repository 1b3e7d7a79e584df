"""Claim due monitors and enqueue probe batches: one conditional UPDATE, safe to run from many beats."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from django.db import connection

# SKIP LOCKED lets two schedulers run at once without double-claiming. The next probe keeps its phase
# (next + interval) unless we are a whole interval behind, when it restarts from now instead of
# firing a burst of catch-up probes.
_CLAIM_SQL = """
WITH due AS (
    SELECT id FROM monitors_monitor
    WHERE enabled AND next_probe_at <= %(now)s
    ORDER BY next_probe_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE monitors_monitor AS m
SET next_probe_at = CASE
    WHEN m.next_probe_at + make_interval(secs => m.interval_s) > %(now)s
        THEN m.next_probe_at + make_interval(secs => m.interval_s)
    ELSE %(now)s + make_interval(secs => m.interval_s)
END
FROM due WHERE m.id = due.id
RETURNING m.id, m.regions
"""


def claim_due(now: datetime, limit: int) -> list[tuple[int, list[str]]]:
    """Advance next_probe_at of up to `limit` due monitors and return their (id, regions)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {"now": now, "limit": limit})
        return [(row[0], _regions(row[1])) for row in cursor.fetchall()]


def _regions(raw) -> list[str]:
    # A raw cursor hands jsonb back undecoded (Django decodes JSONField only through the ORM).
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return [str(region) for region in value or []]


def batches_by_region(
    claimed: list[tuple[int, list[str]]], default_region: str, batch_size: int
) -> Iterator[tuple[str, list[int]]]:
    """Group claimed monitors by region (a monitor probed from 3 regions appears in 3 batches)."""
    by_region: dict[str, list[int]] = defaultdict(list)
    for monitor_id, regions in claimed:
        for region in regions or [default_region]:
            by_region[region].append(monitor_id)
    for region, ids in sorted(by_region.items()):
        for start in range(0, len(ids), batch_size):
            yield region, ids[start : start + batch_size]


def queue_for(region: str) -> str:
    return f"probes.{region}"
