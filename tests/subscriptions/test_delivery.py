"""Deliveries are claimed with a lease, retried with backoff and jitter, and go dead with their error kept."""

import random
import threading
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from statuspage.subscriptions import delivery
from statuspage.subscriptions.models import Delivery
from tests.subscriptions.helpers import send_emails


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 5, 10), (2, 10, 20), (3, 20, 40), (8, 640, 1280), (9, 900, 1800), (30, 900, 1800)],
)
def test_backoff_doubles_up_to_the_cap_with_half_of_it_random(attempts, low, high):
    rng = random.Random(attempts)
    delays = [delivery.backoff(attempts, base=10, cap=1800, rng=rng) for _ in range(200)]
    assert low <= min(delays) and max(delays) <= high
    assert max(delays) - min(delays) > (high - low) / 2  # spread out, not one value


def test_a_temporary_refusal_is_retried_later_with_backoff(
    smtp, components, make_subscriber, publish, settings
):
    settings.DELIVERY_BACKOFF_SECONDS = 60
    make_subscriber("busy@example.com")
    smtp.mailbox.refuse["busy@example.com"] = "451 4.2.1 mailbox busy, try later"
    publish(components["Chat"])
    before = timezone.now()

    send_emails()

    row = Delivery.objects.get()
    assert (row.state, row.attempts, row.lease) == ("pending", 1, None)
    assert "451 4.2.1 mailbox busy" in row.last_error
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=60)

    del smtp.mailbox.refuse["busy@example.com"]
    send_emails()  # not due yet
    assert smtp.mailbox.messages == []
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        send_emails()
    assert len(smtp.mailbox.to("busy@example.com")) == 1
    assert Delivery.objects.get().state == "sent"


def test_a_permanent_refusal_goes_dead_at_once_with_the_error_kept(
    smtp, components, make_subscriber, publish
):
    make_subscriber("gone@example.com")
    make_subscriber("fine@example.com")
    smtp.mailbox.refuse["gone@example.com"] = "550 5.1.1 no such user"
    publish(components["Chat"])

    send_emails()

    dead = Delivery.objects.get(state="dead")
    assert dead.subscriber.email == "gone@example.com" and dead.attempts == 1
    assert dead.last_error == "recipient refused: 550 5.1.1 no such user"
    assert len(smtp.mailbox.to("fine@example.com")) == 1  # the batch went on after the refusal


def test_temporary_failures_go_dead_after_the_last_attempt(
    smtp, components, make_subscriber, publish, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    make_subscriber("busy@example.com")
    smtp.mailbox.refuse["busy@example.com"] = "452 4.2.2 mailbox full"
    publish(components["Chat"])

    for _ in range(3):
        with time_machine.travel(Delivery.objects.get().next_attempt_at + timedelta(seconds=1)):
            send_emails()

    row = Delivery.objects.get()
    assert (row.state, row.attempts) == ("dead", 3)
    assert "452 4.2.2 mailbox full" in row.last_error


def test_smtp_down_keeps_everything_and_delivers_all_once_it_is_back(
    smtp, components, make_subscriber, publish, settings
):
    # The fault test's minute, compressed: backoff in tens of milliseconds.
    settings.DELIVERY_BACKOFF_SECONDS, settings.DELIVERY_BATCH_SIZE = 0.05, 10
    for _ in range(30):
        make_subscriber()
    publish(components["Chat"])
    smtp.stop()

    send_emails()  # the first batch cannot connect; the task stops instead of hammering the server

    failed = Delivery.objects.filter(attempts=1)
    assert failed.count() == 10 and set(failed.values_list("state", flat=True)) == {"pending"}
    assert "cannot connect to SMTP" in failed.first().last_error
    assert Delivery.objects.filter(attempts=0).count() == 20

    smtp.start()
    time.sleep(0.2)  # the backoff of the failed batch runs out
    send_emails()

    assert Delivery.objects.filter(state="sent").count() == 30
    assert len({m["X-Envelope-To"] for m in smtp.mailbox.messages}) == len(smtp.mailbox.messages) == 30


def test_a_connection_lost_mid_batch_retries_the_rest(smtp, components, make_subscriber, publish, settings):
    settings.DELIVERY_BACKOFF_SECONDS = 0.01
    for address in ("a@example.com", "b@example.com", "c@example.com"):
        make_subscriber(address)
    publish(components["Chat"])
    smtp.mailbox.refuse["b@example.com"] = "421 4.3.2 shutting down"  # 421 closes the connection

    send_emails()

    assert Delivery.objects.filter(state="sent").count() == 1
    assert Delivery.objects.filter(state="pending", attempts=1).count() == 2
    del smtp.mailbox.refuse["b@example.com"]
    time.sleep(0.05)
    send_emails()
    assert sorted(m["X-Envelope-To"] for m in smtp.mailbox.messages) == [
        "a@example.com", "b@example.com", "c@example.com",
    ]  # fmt: skip


def test_claims_hold_a_lease_and_never_overlap(components, make_subscriber, publish, settings):
    for _ in range(10):
        make_subscriber()
    publish(components["Chat"])
    now = timezone.now()

    first_lease, first = delivery.claim("email", now, 6)
    _, second = delivery.claim("email", now, 6)
    _, third = delivery.claim("email", now, 6)

    assert (len(first), len(second), third) == (6, 4, [])
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert all(d.lease == first_lease for d in first)
    assert all(d.next_attempt_at == now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS) for d in first)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_skip_each_others_locked_rows(components, make_subscriber, publish):
    for _ in range(40):
        make_subscriber()
    publish(components["Chat"])
    claimed: list[list[int]] = []

    def worker() -> None:
        try:
            claimed.append([d.pk for d in delivery.claim("email", timezone.now(), 15)[1]])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [pk for batch in claimed for pk in batch]
    assert len(ids) == len(set(ids)) == 40


def test_rows_of_a_worker_that_died_come_back_when_its_lease_ends(
    smtp, components, make_subscriber, publish, settings
):
    make_subscriber("ada@example.com")
    publish(components["Chat"])
    delivery.claim("email", timezone.now(), 10)  # a worker claims, then dies without a word

    send_emails()
    assert smtp.mailbox.messages == []

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1)):
        send_emails()
    assert len(smtp.mailbox.to("ada@example.com")) == 1


def test_a_late_worker_cannot_mark_a_row_someone_else_claimed(components, make_subscriber, publish):
    make_subscriber()
    publish(components["Chat"])
    old_lease, [row] = delivery.claim("email", timezone.now(), 1)
    Delivery.objects.update(next_attempt_at=timezone.now())  # the old lease ran out
    new_lease, [_] = delivery.claim("email", timezone.now(), 1)

    delivery.mark_failed([row], old_lease, "late failure", permanent=True)

    fresh = Delivery.objects.get()
    assert (fresh.state, fresh.lease, fresh.last_error) == ("pending", new_lease, "")


def test_help_is_asked_for_only_once_a_full_batch_went_through(
    smtp, components, make_subscriber, publish, settings
):
    settings.DELIVERY_BATCH_SIZE = 5
    for _ in range(12):
        make_subscriber()
    publish(components["Chat"])
    rings = []
    smtp.stop()

    delivery.send_due("email", budget_s=10, on_full_batch=lambda: rings.append("help"))
    assert rings == []  # a helper would only fail another batch while the server is down

    smtp.start()
    Delivery.objects.update(next_attempt_at=timezone.now())
    delivery.send_due("email", budget_s=10, on_full_batch=lambda: rings.append("help"))
    assert rings == ["help"] and Delivery.objects.filter(state="sent").count() == 12


def test_each_accepted_delivery_is_recorded_at_once(components, make_subscriber, publish):
    for _ in range(3):
        make_subscriber()
    publish(components["Chat"])
    lease, batch = delivery.claim("email", timezone.now(), 100)
    sent = Delivery.objects.filter(state="sent")

    with connection.cursor() as cursor:
        delivery.mark_sent(cursor, batch[0], lease)
        assert list(sent.values_list("pk", flat=True)) == [batch[0].pk]  # a kill now re-sends nothing
        delivery.mark_sent(cursor, batch[1], uuid.uuid4())  # someone else's lease: not ours to mark
        assert sent.count() == 1


@pytest.mark.faults
@pytest.mark.django_db(transaction=True)
def test_a_live_workers_lease_is_renewed_and_a_dead_ones_is_not(
    components, make_subscriber, publish, settings
):
    settings.DELIVERY_LEASE_SECONDS = 1
    make_subscriber()
    publish(components["Chat"])
    lease, [row] = delivery.claim("email", timezone.now(), 10)

    with delivery.Heartbeat(lease, settings.DELIVERY_LEASE_SECONDS) as heartbeat:
        time.sleep(1.5)  # a slow batch: longer than the lease itself
        renewed = Delivery.objects.get().next_attempt_at
        assert renewed > timezone.now()  # still ours: nobody else claims it
        assert heartbeat.ends > time.monotonic()
    time.sleep(1.1)  # the worker is gone: nobody renews
    assert Delivery.objects.get().next_attempt_at <= timezone.now()
    assert delivery.claim("email", timezone.now(), 10)[1] == [row]
