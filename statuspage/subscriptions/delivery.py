"""Claim due deliveries with a lease, send them through their channel's transport, mark each outcome.

Each message is marked sent as soon as the server accepted it (a commit that does not wait for the
disk), so a worker killed mid-batch re-sends at most the one message in flight. The lease is short
(DELIVERY_LEASE_SECONDS) and renewed by a heartbeat while the worker lives: the rest of a dead worker's
batch is due again within a lease, while a live one keeps its batch however slow the server.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
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


# The statement of a fan-out's hot path, so spelled out rather than compiled by the ORM each time.
_MARK_SENT = f"""
UPDATE {Delivery._meta.db_table}
SET state = 'sent', sent_at = statement_timestamp(), attempts = attempts + 1, lease = NULL, last_error = ''
WHERE id = %s AND lease = %s
"""  # noqa: S608 - the table name comes from the model

_RENEW = f"""
UPDATE {Delivery._meta.db_table} SET next_attempt_at = statement_timestamp() + %s * interval '1 second'
WHERE lease = %s AND state = 'pending'
"""  # noqa: S608 - the table name comes from the model


def mark_sent(cursor: CursorWrapper, delivery: Delivery, lease: uuid.UUID) -> None:
    """Record one accepted message at once: a kill after this never sends it again."""
    cursor.execute(_MARK_SENT, [delivery.pk, lease])
    if cursor.rowcount == 0:  # the lease ran out mid-send (another worker may send it too), or it left
        log.warning("delivery %s was sent after its lease ended", delivery.pk)


class Heartbeat:
    """Renews a batch's lease every third of it, on a connection of its own, while the batch runs.

    `ends` is when the lease is known to end (monotonic); it stops moving if renewing fails (the
    database is down), and the sender then stops before another worker may take the rows over.
    """

    def __init__(self, lease: uuid.UUID, seconds: float) -> None:
        self.lease, self.seconds = lease, seconds
        self.ends = time.monotonic() + seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.seconds / 3):
                renewed_at = time.monotonic()
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(_RENEW, [self.seconds, self.lease])
                except DatabaseError:
                    log.warning("could not renew delivery lease %s", self.lease, exc_info=True)
                    continue
                self.ends = renewed_at + self.seconds
        finally:
            connections.close_all()  # this thread's own connection


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


def send_batch(channel: str, lease: uuid.UUID, batch: Sequence[Delivery], stop_at: float) -> bool:
    """Send a claimed batch over one transport session, the lease renewed meanwhile; what is not sent
    by `stop_at` (monotonic) is handed back. False when the channel turned out to be down."""
    transport = transports.get(channel)
    try:
        with (
            Heartbeat(lease, settings.DELIVERY_LEASE_SECONDS) as heartbeat,
            transport.session() as session,
            _marking_cursor() as cursor,
        ):
            return _send_each(session, batch, lease, heartbeat, stop_at, cursor)
    except TransportUnavailable as exc:  # the session could not even open
        log.warning("%s deliveries wait: %s", channel, exc)
        mark_failed(batch, lease, str(exc), permanent=False)
        return False


def _send_each(
    session: Session,
    batch: Sequence[Delivery],
    lease: uuid.UUID,
    heartbeat: Heartbeat,
    stop_at: float,
    cursor: CursorWrapper,
) -> bool:
    # Stop while enough of the lease is left for one send: past it, another worker may claim the
    # row and both would send it.
    margin = min(session.timeout, settings.DELIVERY_LEASE_SECONDS / 2)
    for index, delivery in enumerate(batch):
        if time.monotonic() > min(heartbeat.ends - margin, stop_at):
            release(batch[index:], lease)
            return True
        try:
            session.send(delivery)
        except DeliveryFailed as exc:
            mark_failed([delivery], lease, str(exc), permanent=exc.permanent, retry_after=exc.retry_after)
        except TransportUnavailable as exc:
            mark_failed(batch[index:], lease, str(exc), permanent=False)
            return False
        else:
            mark_sent(cursor, delivery, lease)
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
        lease, batch = claim(channel, timezone.now(), settings.DELIVERY_BATCH_SIZE)
        if not batch:
            break
        batches += 1
        if not send_batch(channel, lease, batch, deadline):
            break
        # Ask for help only once the channel has proved up: while it is down, each helper would claim
        # a batch just to fail it, and ring for yet another.
        if batches == 1 and len(batch) == settings.DELIVERY_BATCH_SIZE and on_full_batch:
            on_full_batch()
    return batches
