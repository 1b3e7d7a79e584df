"""Operator alerts go through the same outbox as subscriber email, once per key."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from statuspage.subscriptions.alerts import alert_operators
from statuspage.subscriptions.models import Delivery, OperatorAlert
from tests.subscriptions.helpers import send_emails


@pytest.fixture
def operators(db):
    users = get_user_model().objects
    users.create_user("olga", "olga@example.com", is_staff=True)
    users.create_user("omar", "omar@example.com", is_staff=True)
    users.create_user("reader", "reader@example.com")  # not an operator
    users.create_user("nomail", "", is_staff=True)


def test_an_alert_emails_every_operator_once_however_often_it_is_raised(smtp, operators, settings):
    raised = [
        alert_operators(
            "Monitor misconfigured: OpenAI chat", "auth_error: check OPENAI_API_KEY", key="misconfigured:7"
        )
        for _ in range(3)
    ]
    send_emails()

    assert raised == [True, False, False]
    assert sorted(m["X-Envelope-To"] for m in smtp.mailbox.messages) == [
        "olga@example.com",
        "omar@example.com",
    ]
    message = smtp.mailbox.messages[0]
    assert message["Subject"] == f"[{settings.SITE_NAME} operators] Monitor misconfigured: OpenAI chat"
    assert "auth_error: check OPENAI_API_KEY" in message.get_body(("plain",)).get_content()
    assert f"{settings.SITE_URL}/{settings.ADMIN_URL}" in message.get_body(("html",)).get_content()


def test_operator_emails_setting_overrides_staff(smtp, operators, settings):
    settings.OPERATOR_EMAILS = ["oncall@example.com"]

    alert_operators("Incident awaiting approval", "Elevated errors on Chat", key="approval:abc")
    send_emails()

    assert [m["X-Envelope-To"] for m in smtp.mailbox.messages] == ["oncall@example.com"]


def test_a_subject_cannot_smuggle_headers(smtp, operators):
    alert_operators("Broken\r\nBcc: victim@example.com", "body", key="k")
    send_emails()

    assert all(m["Bcc"] is None for m in smtp.mailbox.messages)
    assert smtp.mailbox.messages[0]["Subject"].endswith("Broken Bcc: victim@example.com")


def test_an_alert_raised_in_a_transaction_that_rolls_back_is_not_kept(operators):
    with pytest.raises(RuntimeError), transaction.atomic():
        alert_operators("Monitor misconfigured", "x", key="misconfigured:8")
        raise RuntimeError

    assert not OperatorAlert.objects.exists() and not Delivery.objects.exists()


def test_with_no_operator_to_tell_the_alert_is_still_recorded(db):
    assert alert_operators("Monitor misconfigured", "x", key="misconfigured:9")
    assert OperatorAlert.objects.count() == 1 and not Delivery.objects.exists()


def test_keys_must_be_usable(db):
    with pytest.raises(ValueError, match="1 to 200 characters"):
        alert_operators("s", "b", key="")
