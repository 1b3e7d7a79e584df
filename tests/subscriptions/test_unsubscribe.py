"""Leaving takes one click (RFC 8058) from any email; links are signed, expire, and serve one purpose."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Delivery, Subscriber
from tests.subscriptions.helpers import link_in, path_of, send_emails


@pytest.fixture
def mail_client() -> Client:
    """A mail provider's one-click POST: no cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def delivered(smtp, components, make_subscriber, publish):
    subscriber = make_subscriber("ada@example.com")
    publish(components["Chat"])
    send_emails()
    [message] = smtp.mailbox.messages
    return subscriber, message


def test_one_click_post_to_the_list_unsubscribe_url_unsubscribes(mail_client, delivered, components, publish):
    subscriber, message = delivered
    url = message["List-Unsubscribe"].strip().strip("<>")
    publish(components["Chat"], name="Queued when they left")  # queued, not yet sent

    response = mail_client.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not Delivery.objects.exists()  # nothing left to send them
    assert (
        mail_client.post(
            path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )


def test_the_link_in_the_body_asks_first_and_a_get_unsubscribes_no_one(client, delivered):
    subscriber, message = delivered
    path = path_of(link_in(message, "unsubscribe"))

    page = client.get(path)

    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    client.post(path)
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_an_altered_link_is_refused_with_an_explanation(client, delivered):
    _, message = delivered
    path = path_of(link_in(message, "unsubscribe"))

    response = client.post(path[:-3] + "AAA")

    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    assert Subscriber.objects.exists()


def test_links_expire(client, make_subscriber, settings):
    subscriber = make_subscriber(confirmed=False)
    path = path_of(tokens.link(tokens.Purpose.CONFIRM, subscriber.public_id))

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SUBSCRIPTION_CONFIRM_MAX_AGE + 60)):
        response = client.post(path)

    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.confirmed


def test_a_link_serves_only_its_own_purpose(client, make_subscriber):
    subscriber = make_subscriber(confirmed=False)
    confirm_token = tokens.make(tokens.Purpose.CONFIRM, subscriber.public_id)

    assert client.post(f"/subscriptions/unsubscribe/{confirm_token}").status_code == 400
    assert client.get(f"/subscriptions/manage/{confirm_token}").status_code == 400
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_garbage_in_a_link_is_a_clear_404_or_400_never_a_500(client, db):
    assert client.get("/subscriptions/manage/" + "x" * 5000).status_code == 404
    assert client.get("/subscriptions/manage/%00%0d%0a").status_code == 404
    assert client.get("/subscriptions/manage/abc:def:ghi").status_code == 400


def test_a_manage_link_of_an_unconfirmed_subscription_shows_nothing(client, make_subscriber):
    subscriber = make_subscriber("ada@example.com", confirmed=False)

    response = client.get(path_of(tokens.link(tokens.Purpose.MANAGE, subscriber.public_id)))

    assert response.status_code == 404 and "ada@example.com" not in response.content.decode()
