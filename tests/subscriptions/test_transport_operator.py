"""Operator notifications through Apprise: queued once per event, sent by the outbox to a real server."""

from __future__ import annotations

import pytest

from statuspage.lib.operator_events import EventKind, OperatorEvent
from statuspage.subscriptions import delivery
from statuspage.subscriptions.alerts import label, notify_operators
from statuspage.subscriptions.models import Delivery


def send_operator_notices() -> None:
    delivery.send_due("operator", budget_s=10)


@pytest.fixture
def pager(settings, receiver):
    """OPERATOR_NOTIFY_URLS pointing Apprise's JSON notifier at a real local HTTP server."""
    url = receiver.url.replace("http://", "json://") + "?token=s3cret"
    settings.OPERATOR_NOTIFY_URLS = [url]
    settings.OPERATOR_EMAILS = ["olga@example.com"]
    return url


def event(kind=EventKind.PIPELINE_STALLED, key="watchdog:1") -> OperatorEvent:
    return OperatorEvent(
        kind, "Deliveries are not moving", "The oldest pending delivery is 10 minutes old.", key
    )


@pytest.mark.django_db
def test_an_event_goes_out_once_through_apprise(pager, receiver):
    assert notify_operators(event())
    assert not notify_operators(event())  # the same key again: nothing new

    send_operator_notices()

    [request] = receiver.requests
    sent = request.json()
    assert sent["title"] == "[AI Status] Deliveries are not moving"
    assert "10 minutes old" in sent["message"] and sent["type"] == "failure"
    row = Delivery.objects.get(channel="operator")
    assert row.state == Delivery.State.SENT


@pytest.mark.django_db
def test_the_routing_table_decides_email_and_push(pager):
    notify_operators(event(EventKind.INCIDENT_OPENED, key="incident-opened:1"))
    notify_operators(event(EventKind.INCIDENT_HELD, key="incident-held:1"))

    channels = dict.fromkeys(("incident-opened:1", "incident-held:1"), None)
    for key in channels:
        channels[key] = sorted(Delivery.objects.filter(alert__key=key).values_list("channel", flat=True))
    assert channels == {"incident-opened:1": ["operator"], "incident-held:1": ["email", "operator"]}


@pytest.mark.django_db
def test_the_row_names_the_service_never_its_secret(pager):
    notify_operators(event())

    row = Delivery.objects.get(channel="operator")
    assert row.recipient == label(pager) and row.recipient.startswith("json://")
    assert "s3cret" not in row.recipient and "127.0.0.1" not in row.recipient


@pytest.mark.django_db
def test_a_failing_service_is_retried_with_backoff_then_dead(pager, receiver, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    settings.DELIVERY_BACKOFF_SECONDS = 60
    receiver.status = 503
    notify_operators(event())

    send_operator_notices()
    row = Delivery.objects.get(channel="operator")
    assert (row.state, row.attempts) == (Delivery.State.PENDING, 1)
    assert "503" in row.last_error and "s3cret" not in row.last_error

    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    send_operator_notices()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Delivery.State.DEAD, 2)


@pytest.mark.django_db
def test_a_url_removed_from_the_setting_is_dead_not_guessed(pager, settings):
    notify_operators(event())
    settings.OPERATOR_NOTIFY_URLS = []

    send_operator_notices()

    row = Delivery.objects.get(channel="operator")
    assert row.state == Delivery.State.DEAD and "no longer in OPERATOR_NOTIFY_URLS" in row.last_error


@pytest.mark.django_db
def test_an_event_with_nowhere_to_go_is_still_recorded(settings, caplog):
    settings.OPERATOR_NOTIFY_URLS, settings.OPERATOR_EMAILS = [], []

    assert notify_operators(event(EventKind.INCIDENT_RESOLVED, key="incident-resolved:1"))

    assert not Delivery.objects.exists()
    assert "nobody to go to" in caplog.text
