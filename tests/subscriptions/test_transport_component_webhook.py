"""Component webhooks: Statuspage's component_update payload, signed, one per change, retried on failure."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import StateChange
from statuspage.components.models import ComponentGroup, ComponentStatusChange
from statuspage.components.propagation import propagate
from statuspage.readmodel import v2
from statuspage.subscriptions import delivery, hooksign
from statuspage.subscriptions.models import Delivery

# Reference §2, "Webhook subscriber payloads": every key a receiver may read.
REFERENCE_KEYS = {
    "meta": {"unsubscribe", "documentation", "generated_at"},
    "page": {"id", "status_indicator", "status_description"},
    "component_update": {"old_status", "new_status", "created_at", "component_type", "id", "component_id"},
    "component": {
        "status", "name", "created_at", "updated_at", "position", "description", "showcase", "id",
        "page_id", "group_id",
    },
}  # fmt: skip
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PUBLIC_ID = re.compile(r"^[a-z0-9]{12}$")


def send_webhooks() -> None:
    delivery.send_due("webhook", budget_s=10)


def component_requests(receiver) -> list:
    return [r for r in receiver.requests if "component_update" in r.json()]


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The receiver lives on 127.0.0.1; only these tests relax the guard that refuses it."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True


@pytest.fixture
def chat(make_monitor, make_component):
    return make_component("Chat", monitors=[make_monitor(status="down")])


def take_down(component) -> None:
    """What the status machinery does when the component's only monitor is confirmed down."""
    StateChange.objects.create(monitor=component.monitors.get(), old_status="up", new_status="down")
    propagate(timezone.now())


def test_a_component_going_down_sends_one_signed_component_update_to_interested_subscribers_only(
    chat, make_component, make_subscriber, receiver
):
    interested = make_subscriber(kind="webhook", webhook_url=receiver.url, components=[chat])
    make_subscriber(
        kind="webhook", webhook_url=receiver.url + "/images", components=[make_component("Images")]
    )

    take_down(chat)
    send_webhooks()

    [request] = component_requests(receiver)
    data = request.json()
    assert (data["component_update"]["old_status"], data["component_update"]["new_status"]) == (
        "operational", "major_outage",
    )  # fmt: skip
    assert (data["component"]["name"], data["component"]["status"]) == ("Chat", "major_outage")
    change = ComponentStatusChange.objects.get()
    webhook_id, timestamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    assert webhook_id == f"component.{change.public_id}.{interested.public_id}"
    secret = hooksign.secret(interested.public_id)
    assert hooksign.verify(secret, webhook_id, timestamp, request.body, request.headers["webhook-signature"])
    assert set(Delivery.objects.filter(purpose="component").values_list("subscriber", "state")) == {
        (interested.pk, "sent")
    }


def test_the_same_status_again_sends_nothing_more(chat, make_subscriber, receiver):
    make_subscriber(kind="webhook", webhook_url=receiver.url)
    take_down(chat)
    send_webhooks()

    chat.refresh_from_db()
    chat.set_status("major_outage", timezone.now(), source="monitors")
    take_down(chat)  # the monitor reported down once more: the component is already major_outage
    send_webhooks()

    assert len(component_requests(receiver)) == 1


def test_the_payload_has_every_key_of_the_reference_and_the_apis_component(
    make_component, make_subscriber, receiver, settings
):
    models = ComponentGroup.objects.create(name="Models", position=1)
    make_component("Chat", group=models, position=1)
    images = make_component("Images", group=models, position=7, description="Image generation")
    subscriber = make_subscriber(kind="webhook", webhook_url=receiver.url)
    images.set_status("degraded_performance", timezone.now(), source="monitors")

    send_webhooks()

    [request] = receiver.requests
    data = request.json()
    assert list(data) == ["meta", "page", "component_update", "component"]
    for key, keys in REFERENCE_KEYS.items():
        assert keys <= set(data[key]), f"{key} lacks {keys - set(data[key])}"
    update, component = data["component_update"], data["component"]
    assert set(update) == REFERENCE_KEYS["component_update"]
    assert update["component_type"] == "Component"
    assert update["component_id"] == component["id"] == images.public_id
    assert PUBLIC_ID.match(update["id"])
    assert all(
        TIMESTAMP.match(t)
        for t in (update["created_at"], component["created_at"], data["meta"]["generated_at"])
    )
    # Exactly the API's component object: position counts inside the group, as components.json does.
    [listed] = [c for c in v2.summary()["components"] if c["id"] == images.public_id]
    assert component == listed
    assert (component["position"], component["group_id"]) == (2, models.public_id)
    assert data["page"] == {
        "id": v2.PAGE_ID,
        "status_indicator": "minor",
        "status_description": "Minor Service Outage",
    }
    assert data["meta"]["unsubscribe"].startswith(f"{settings.SITE_URL}/subscriptions/unsubscribe/")
    assert Delivery.objects.get(subscriber=subscriber).state == "sent"


def test_a_late_retry_shows_the_status_of_its_own_change(make_component, make_subscriber, receiver):
    chat = make_component("Chat")
    make_subscriber(kind="webhook", webhook_url=receiver.url)
    chat.set_status("major_outage", timezone.now(), source="monitors")
    chat.set_status("operational", timezone.now(), source="monitors")

    send_webhooks()

    sent = sorted((r.json() for r in receiver.requests), key=lambda d: d["component_update"]["id"])
    assert [(d["component_update"]["new_status"], d["component"]["status"]) for d in sent] == [
        ("major_outage", "major_outage"),
        ("operational", "operational"),
    ]


def test_a_redirect_counts_as_a_failure_and_is_retried(chat, make_subscriber, receiver):
    make_subscriber(kind="webhook", webhook_url=receiver.url, components=[chat])
    receiver.status = 302
    take_down(chat)

    send_webhooks()

    row = Delivery.objects.get(purpose="component")
    assert (row.state, row.attempts) == ("pending", 1)
    assert "answered 302 (redirects are not followed)" in row.last_error
    assert row.next_attempt_at > timezone.now()  # backing off

    receiver.status = 200
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    send_webhooks()

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    first, second = component_requests(receiver)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # the receiver can drop a re-send
