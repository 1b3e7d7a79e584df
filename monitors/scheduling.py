"""Claim monitors coming due and enqueue probe batches: one conditional UPDATE, safe from many beats.

A tick claims what falls due before the next tick has had time to dispatch it (`horizon`), and each
probe carries its due time: the batch starts just before its first probe and each probe waits for its
own moment. The scheduling lag is then the workers' own, not the tick's period plus a queue's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction

from monitors import confirmation

# SKIP LOCKED lets two schedulers run at once without double-claiming. The next probe keeps its phase
# (next + interval) unless we are a whole interval behind, when it restarts from now instead of
# firing a burst of catch-up probes.
_CLAIM_SQL = """
WITH due AS (
    SELECT id, next_probe_at AS due_at FROM monitors_monitor
    WHERE enabled AND next_probe_at <= %(horizon)s
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
RETURNING m.id, m.regions, due.due_at, m.next_probe_at
"""


class Claim(NamedTuple):
    monitor_id: int
    regions: list[str]
    due_at: datetime  # when the probe should start (in the past when the scheduler is behind)
    next_due_at: datetime  # when the monitor's next probe falls due (and is claimed again)


class Batch(NamedTuple):
    region: str
    monitor_ids: list[int]
    due_at: list[float]  # each monitor's due time, Unix seconds, in the same order (earliest first)
    # Unix seconds: once one of its monitors is due again, a batch not yet started is stale (its
    # worker died, or the queue is that far behind): the next batches carry those probes.
    expires: float


def claim_due(now: datetime, limit: int, horizon: datetime | None = None) -> list[Claim]:
    """Advance next_probe_at of up to `limit` monitors due by `horizon` (default: now), earliest first."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {"now": now, "horizon": horizon or now, "limit": limit})
        # Django hands jsonb from a raw cursor back as text.
        claimed = [
            Claim(row[0], json.loads(row[1]) if isinstance(row[1], str) else row[1] or [], row[2], row[3])
            for row in cursor.fetchall()
        ]
    return sorted(claimed, key=lambda claim: claim.due_at)  # RETURNING keeps no order


# Planned confirmations coming due, locked so a second tick skips them, with what the budget needs.
_DUE_CONFIRMATIONS_SQL = """
SELECT c.id, c.monitor_id, c.region, c.due_at, m.provider_id, m.interval_s
FROM monitors_confirmation AS c JOIN monitors_monitor AS m ON m.id = c.monitor_id
WHERE c.sent_at IS NULL AND c.due_at <= %(horizon)s AND m.enabled
ORDER BY c.due_at
LIMIT %(limit)s
FOR UPDATE OF c SKIP LOCKED
"""
_SENT_CONFIRMATIONS_SQL = """
SELECT m.provider_id, count(*)
FROM monitors_confirmation AS c JOIN monitors_monitor AS m ON m.id = c.monitor_id
WHERE c.sent_at > %(since)s
GROUP BY m.provider_id
"""


def claim_confirmations(
    now: datetime, limit: int, horizon: datetime, policy: confirmation.Policy
) -> list[Claim]:
    """Claim planned confirmation probes due by `horizon` within each provider's budget (the rest are
    dropped: the schedule confirms instead), and forget those sent before the budget's window."""
    since = now - timedelta(seconds=policy.window_s)
    with transaction.atomic(), connection.cursor() as cursor:
        # One claimer at a time, so that two beats cannot both spend the same budget.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('monitors.claim_confirmations'))")
        cursor.execute("DELETE FROM monitors_confirmation WHERE sent_at <= %s", [since])
        cursor.execute(_DUE_CONFIRMATIONS_SQL, {"horizon": horizon, "limit": limit})
        due = cursor.fetchall()
        if not due:
            return []
        cursor.execute(_SENT_CONFIRMATIONS_SQL, {"since": since})
        sent = dict(cursor.fetchall())
        kept, dropped = confirmation.allot(((row[4], row) for row in due), sent, policy.cap)
        kept_ids, dropped_ids = [row[0] for row in kept], [row[0] for row in dropped]
        cursor.execute("UPDATE monitors_confirmation SET sent_at = %s WHERE id = ANY(%s)", [now, kept_ids])
        cursor.execute("DELETE FROM monitors_confirmation WHERE id = ANY(%s)", [dropped_ids])
    # Once an interval has passed, the schedule has probed again: a confirmation not started by then
    # (its worker died, the queue is that far behind) is dropped unrun.
    return [
        Claim(monitor_id, [region], due_at, due_at + timedelta(seconds=interval_s))
        for _, monitor_id, region, due_at, _, interval_s in kept
    ]


def batches_by_region(claimed: list[Claim], default_region: str, batch_size: int) -> Iterator[Batch]:
    """Group claimed monitors by region (a monitor probed from 3 regions appears in 3 batches), each
    batch a run of consecutive due times."""
    by_region: dict[str, list[Claim]] = defaultdict(list)
    for claim in sorted(claimed, key=lambda claim: claim.due_at):
        for region in claim.regions or [default_region]:
            by_region[region].append(claim)
    for region, claims in sorted(by_region.items()):
        for start in range(0, len(claims), batch_size):
            chunk = claims[start : start + batch_size]
            yield Batch(
                region,
                [c.monitor_id for c in chunk],
                [c.due_at.timestamp() for c in chunk],
                min(c.next_due_at for c in chunk).timestamp(),
            )


def queue_for(region: str) -> str:
    return f"probes.{region}"
