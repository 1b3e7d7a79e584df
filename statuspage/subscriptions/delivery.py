"""Claim due deliveries with a lease, send them through their channel's transport, mark each outcome.

Sent rows are marked in small groups (of at most MARK_GROUP messages, none held past MARK_DELAY_S),
so a worker killed mid-batch re-sends at most that group; the rest of its batch becomes due again
when the lease runs out. Failures are marked at once.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from statuspage.lib.timefmt import iso_ms
from statuspage.subscriptions import transports
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed, Session, TransportUnavailable

log = logging.getLogger(__name__)

_ERROR_LIMIT = 2000


def backoff(attempts: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before retry number `attempts`: doubling from `base` up to `cap`, half of it random.

    The random half ("equal jitter") spreads a batch that failed together, so a recovering server
    is not hit by all of it at once.
    """
    ceiling = min(cap, base * 2 ** (attempts - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def claim(channel: str, now: datetime, limit: int) -> tuple[uuid.UUID, list[Delivery]]:
    """Lease up to `limit` due deliveries of a channel; concurrent claimers get disjoint rows."""
    lease = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=Delivery.State.PENDING, channel=channel, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return lease, []
        Delivery.objects.filter(pk__in=ids).update(
            lease=lease, next_attempt_at=now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
        )
    # A batch shares a few updates: prefetching builds each once rather than once per row.
    rows = (
        Delivery.objects.select_related("subscriber")
        .prefetch_related("update__incident", "alert", "component_change__component__group")
        .filter(pk__in=ids)
    )
    return lease, sorted(rows, key=lambda d: d.pk)


# One commit per message would cost more than the SMTP exchange; this bounds what a kill re-sends.
MARK_GROUP = 10
MARK_DELAY_S = 0.25

# The statement of a fan-out's hot path, so spelled out rather than compiled by the ORM each time.
_MARK_SENT = f"""
UPDATE {Delivery._meta.db_table}
SET state = 'sent', sent_at = statement_timestamp(), attempts = attempts + 1, lease = NULL, last_error = ''
WHERE id = ANY(%s) AND lease = %s
"""  # noqa: S608 - the table name comes from the model


class SentMarks:
    """Records accepted deliveries as sent, a small group per statement (see the module docstring)."""

    def __init__(self, cursor: CursorWrapper, lease: uuid.UUID) -> None:
        self._cursor, self._lease = cursor, lease
        self._ids: list[int] = []
        self._first_at = 0.0

    def add(self, delivery: Delivery) -> None:
        if not self._ids:
            self._first_at = time.monotonic()
        self._ids.append(delivery.pk)
        if len(self._ids) >= MARK_GROUP:
            self.flush()

    def tick(self) -> None:
        """Call before each send: a slow server must not keep accepted messages unrecorded for long."""
        if self._ids and time.monotonic() - self._first_at >= MARK_DELAY_S:
            self.flush()

    def flush(self) -> None:
        if not self._ids:
            return
        self._cursor.execute(_MARK_SENT, [self._ids, self._lease])
        if self._cursor.rowcount < len(self._ids):  # a lease ran out mid-send, or a subscriber left
            log.warning(
                "%s of deliveries %s were sent after their lease ended",
                len(self._ids) - self._cursor.rowcount,
                self._ids,
            )
        self._ids = []


def mark_failed(
    deliveries: Sequence[Delivery],
    lease: uuid.UUID,
    error: str,
    *,
    permanent: bool,
    retry_after: float | None = None,
) -> None:
    """Record a failed attempt: retry later with backoff (no sooner than the destination's `retry_after`),
    or dead when permanent or out of attempts."""
    now = timezone.now()
    for delivery in deliveries:
        attempts = delivery.attempts + 1
        dead = permanent or attempts >= settings.DELIVERY_MAX_ATTEMPTS
        delay = backoff(
            attempts, base=settings.DELIVERY_BACKOFF_SECONDS, cap=settings.DELIVERY_BACKOFF_MAX_SECONDS
        )
        delay = max(delay, retry_after or 0.0)
        retry_at = None if dead else now + timedelta(seconds=delay)
        Delivery.objects.filter(pk=delivery.pk, lease=lease).update(
            state=Delivery.State.DEAD if dead else Delivery.State.PENDING,
            attempts=attempts,
            next_attempt_at=retry_at or now,
            last_error=error[:_ERROR_LIMIT],
            lease=None,
        )
        _log_failure(delivery, attempts, error, retry_at)


def _log_failure(delivery: Delivery, attempt: int, error: str, retry_at: datetime | None) -> None:
    """One line per failed attempt, and an ERROR when it was the last. It names the destination's host,
    never the URL (a webhook URL may carry a token) or the address (the subscriber's)."""
    where = _destination_host(delivery)
    if retry_at is None:
        log.error("delivery %s to %s given up after attempt %s: %s", delivery.pk, where, attempt, error)
    else:
        log.warning(
            "delivery %s to %s failed (attempt %s), next try at %s: %s",
            delivery.pk, where, attempt, iso_ms(retry_at), error,
        )  # fmt: skip


def _destination_host(delivery: Delivery) -> str:
    subscriber = delivery.subscriber
    if delivery.channel in (Delivery.Channel.WEBHOOK, Delivery.Channel.CHAT) and subscriber is not None:
        return subscriber.webhook_host
    address = subscriber.email if subscriber is not None else delivery.recipient
    return address.rpartition("@")[2]


def release(deliveries: Sequence[Delivery], lease: uuid.UUID) -> None:
    """Hand back claimed rows that were not tried, due now, without counting an attempt."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries], lease=lease).update(
        lease=None, next_attempt_at=timezone.now()
    )


def send_batch(channel: str, lease: uuid.UUID, batch: Sequence[Delivery], lease_ends: float) -> bool:
    """Send a claimed batch over one transport session. False when the channel turned out to be down."""
    transport = transports.get(channel)
    try:
        with transport.session() as session, _marking_cursor() as cursor:
            marks = SentMarks(cursor, lease)
            try:
                return _send_each(session, batch, lease, lease_ends, marks)
            finally:
                marks.flush()  # whatever else happened, what was accepted is recorded
    except TransportUnavailable as exc:  # the session could not even open
        log.warning("%s deliveries wait: %s", channel, exc)
        mark_failed(batch, lease, str(exc), permanent=False)
        return False


def _send_each(
    session: Session, batch: Sequence[Delivery], lease: uuid.UUID, lease_ends: float, marks: SentMarks
) -> bool:
    # Stop while enough of the lease is left for one send: past it, another worker may claim the
    # row and both would send it.
    margin = min(session.timeout, settings.DELIVERY_LEASE_SECONDS / 2)
    for index, delivery in enumerate(batch):
        if time.monotonic() > lease_ends - margin:
            release(batch[index:], lease)
            return True
        marks.tick()
        try:
            session.send(delivery)
        except DeliveryFailed as exc:
            mark_failed([delivery], lease, str(exc), permanent=exc.permanent, retry_after=exc.retry_after)
        except TransportUnavailable as exc:
            mark_failed(batch[index:], lease, str(exc), permanent=False)
            return False
        else:
            marks.add(delivery)
    return True


@contextmanager
def _marking_cursor() -> Iterator[CursorWrapper]:
    """A cursor for the marks of a batch, which commit without waiting for their WAL flush to disk.

    The flush wait costs more than the SMTP exchange itself. What it risks is narrow: a Postgres
    crash (not a worker's) may forget the marks of the last fraction of a second, and those messages
    are sent again. A duplicate, never a loss.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        try:
            yield cursor
        finally:
            with suppress(DatabaseError):  # a broken connection is discarded anyway
                cursor.execute("RESET synchronous_commit")


def send_due(channel: str, *, budget_s: float, on_full_batch: Callable[[], None] | None = None) -> int:
    """Send due deliveries of a channel until none is due, the channel is down, or the budget is spent.

    `on_full_batch` runs once, after a full first batch was sent, so another worker can share the rest.
    Returns how many batches were claimed.
    """
    deadline = time.monotonic() + budget_s
    batches = 0
    while time.monotonic() < deadline:
        lease_ends = time.monotonic() + settings.DELIVERY_LEASE_SECONDS
        lease, batch = claim(channel, timezone.now(), settings.DELIVERY_BATCH_SIZE)
        if not batch:
            break
        batches += 1
        if not send_batch(channel, lease, batch, lease_ends):
            break
        # Ask for help only once the channel has proved up: while it is down, each helper would claim
        # a batch just to fail it, and ring for yet another.
        if batches == 1 and len(batch) == settings.DELIVERY_BATCH_SIZE and on_full_batch:
            on_full_batch()
    return batches
