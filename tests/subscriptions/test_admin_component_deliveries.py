"""Operators tell component deliveries from incident ones in the deliveries admin, and can retry them."""

import pytest
from django.utils import timezone

from statuspage.subscriptions.models import Delivery


@pytest.fixture
def dead_component_delivery(components, make_subscriber) -> Delivery:
    make_subscriber(kind="webhook", webhook_url="https://hooks.example/status")
    components["Chat"].set_status("major_outage", timezone.now(), source="monitors")
    Delivery.objects.update(state="dead", attempts=8, last_error="hooks.example answered 500")
    return Delivery.objects.get()


def test_component_deliveries_say_which_component_changed_and_how(operator, dead_component_delivery):
    page = operator.get("/admin/subscriptions/delivery/?purpose__exact=component").content.decode()

    assert "Component status" in page and "Chat: Operational → Major outage" in page
    assert "hooks.example answered 500" in page

    detail = operator.get(f"/admin/subscriptions/delivery/{dead_component_delivery.pk}/change/")
    assert detail.status_code == 200 and "Chat: Operational → Major outage" in detail.content.decode()


def test_incident_deliveries_name_their_incident(operator, components, make_subscriber, publish):
    make_subscriber("ada@example.com")
    publish(components["Chat"], name="Elevated errors on Chat")

    page = operator.get("/admin/subscriptions/delivery/").content.decode()

    assert "Elevated errors on Chat: Investigating" in page


def test_a_dead_component_delivery_can_be_retried(operator, dead_component_delivery):
    response = operator.post(
        "/admin/subscriptions/delivery/",
        {"action": "retry", "_selected_action": [dead_component_delivery.pk]},
        follow=True,
    )

    assert "1 deliveries queued again" in response.content.decode()
    dead_component_delivery.refresh_from_db()
    assert (dead_component_delivery.state, dead_component_delivery.attempts) == ("pending", 0)
