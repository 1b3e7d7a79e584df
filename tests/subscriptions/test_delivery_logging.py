"""A failed delivery attempt is logged once at WARNING, a delivery given up at ERROR; never with secrets."""

import logging
import socket

import pytest

from statuspage.subscriptions import delivery, hooksign
from statuspage.subscriptions.models import Delivery

SECRET_IN_URL = "tok3n-in-the-query"


@pytest.fixture
def loopback_allowed(settings):
    """The receiver lives on 127.0.0.1; only these tests relax the guard that refuses it."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True


@pytest.fixture
def retries_at_once(settings):
    """Two attempts, the retry due at once, so one send_due call makes both."""
    settings.DELIVERY_MAX_ATTEMPTS = 2
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_BACKOFF_MAX_SECONDS = 0


def closed_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def failures(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == delivery.__name__ and "delivery " in r.getMessage()]


def test_each_failed_attempt_is_a_warning_and_giving_up_an_error(
    loopback_allowed, retries_at_once, make_subscriber, receiver, publish, caplog
):
    hook = make_subscriber(kind="webhook", webhook_url=f"{receiver.url}?token={SECRET_IN_URL}")
    receiver.status = 500
    publish()
    [queued] = Delivery.objects.filter(subscriber=hook)

    with caplog.at_level(logging.INFO, logger=delivery.__name__):
        delivery.send_due("webhook", budget_s=10)

    assert len(receiver.requests) == 2
    first, last = failures(caplog)
    assert first.levelno == logging.WARNING
    assert first.getMessage().startswith(f"delivery {queued.pk} to 127.0.0.1 failed (attempt 1), next try ")
    assert "answered 500" in first.getMessage()
    assert last.levelno == logging.ERROR
    assert last.getMessage().startswith(f"delivery {queued.pk} to 127.0.0.1 given up after attempt 2: ")
    logged = caplog.text
    assert SECRET_IN_URL not in logged and "/hooks/status" not in logged
    assert hooksign.secret(hook.public_id) not in logged


def test_a_refused_connection_is_logged_with_the_host_only(
    loopback_allowed, make_subscriber, publish, caplog, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 5
    closed = closed_port()  # the connection is refused
    hook = make_subscriber(kind="webhook", webhook_url=f"http://127.0.0.1:{closed}/in?token={SECRET_IN_URL}")
    publish()

    with caplog.at_level(logging.INFO, logger=delivery.__name__):
        delivery.send_due("webhook", budget_s=10)

    [record] = failures(caplog)
    assert record.levelno == logging.WARNING
    assert "(attempt 1), next try at " in record.getMessage() and "ConnectError" in record.getMessage()
    assert SECRET_IN_URL not in caplog.text
    assert Delivery.objects.get(subscriber=hook).state == Delivery.State.PENDING
