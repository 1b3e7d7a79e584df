"""Operators see dead deliveries with their last error in admin, and can send them again."""

import pytest

from statuspage.subscriptions.models import Delivery
from tests.subscriptions.helpers import send_emails


@pytest.fixture
def dead(smtp, components, make_subscriber, publish) -> Delivery:
    make_subscriber("gone@example.com")
    smtp.mailbox.refuse["gone@example.com"] = "550 5.1.1 no such user"
    publish(components["Chat"])
    send_emails()
    return Delivery.objects.get(state="dead")


def test_dead_deliveries_are_listed_with_their_error(operator, dead):
    page = operator.get("/admin/subscriptions/delivery/?state__exact=dead").content.decode()

    assert "gone@example.com" in page and "recipient refused: 550 5.1.1 no such user" in page

    detail = operator.get(f"/admin/subscriptions/delivery/{dead.pk}/change/")
    assert detail.status_code == 200 and "550 5.1.1 no such user" in detail.content.decode()


def test_the_retry_action_sends_a_dead_delivery_again(operator, dead, smtp):
    del smtp.mailbox.refuse["gone@example.com"]

    response = operator.post(
        "/admin/subscriptions/delivery/", {"action": "retry", "_selected_action": [dead.pk]}, follow=True
    )
    assert "1 deliveries queued again" in response.content.decode()
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == ("pending", 0)

    send_emails()
    dead.refresh_from_db()
    assert dead.state == "sent" and len(smtp.mailbox.to("gone@example.com")) == 1


def test_subscribers_and_alerts_have_admin_pages(operator, make_subscriber):
    make_subscriber("ada@example.com")
    assert "ada@example.com" in operator.get("/admin/subscriptions/subscriber/").content.decode()
    assert operator.get("/admin/subscriptions/operatoralert/").status_code == 200
