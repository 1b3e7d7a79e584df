"""Publishing an update writes one Delivery per interested subscriber, in the publishing transaction."""

import pytest
from django.db import transaction

from statuspage.incidents import services as incidents
from statuspage.incidents.drafts import UpdateDraft
from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery


def recipients(update) -> set[str]:
    return set(Delivery.objects.filter(update=update).values_list("subscriber__email", flat=True))


def test_publishing_queues_one_delivery_per_interested_confirmed_subscriber(
    components, make_subscriber, publish
):
    make_subscriber("all@example.com")
    make_subscriber("chat@example.com", components=[components["Chat"]])
    make_subscriber("images@example.com", components=[components["Images"]])
    make_subscriber("pending@example.com", confirmed=False)

    update = publish(components["Chat"])

    assert recipients(update) == {"all@example.com", "chat@example.com"}
    assert set(Delivery.objects.values_list("purpose", "channel", "state").distinct()) == {
        ("update", "email", "pending")
    }


def test_an_update_naming_no_component_goes_to_everyone(components, make_subscriber, publish):
    make_subscriber("chat@example.com", components=[components["Chat"]])
    make_subscriber("images@example.com", components=[components["Images"]])

    assert recipients(publish()) == {"chat@example.com", "images@example.com"}


def test_components_named_only_in_the_update_count(components, make_subscriber, publish):
    make_subscriber("images@example.com", components=[components["Images"]])
    incident = publish(components["Chat"]).incident

    later = incidents.post_update(
        incident,
        UpdateDraft(
            status="identified",
            body="Images too.",
            component_statuses={components["Images"]: "degraded_performance"},
        ),
    )

    assert recipients(later) == {"images@example.com"}


def test_a_rolled_back_publish_leaves_no_delivery(components, make_subscriber, publish):
    make_subscriber()
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(components["Chat"])
        raise RuntimeError("the operator's save failed after the update was written")

    assert not Delivery.objects.exists()


def test_enqueueing_twice_adds_nothing(components, make_subscriber, publish):
    make_subscriber()
    update = publish(components["Chat"])

    assert outbox.enqueue_update(update) == 0
    assert Delivery.objects.count() == 1


def test_updates_without_notifications_queue_nothing(components, make_subscriber, publish):
    make_subscriber()
    publish(components["Chat"], notify=False)

    assert not Delivery.objects.exists()


def test_held_incidents_notify_when_published_not_before(components, make_subscriber, publish):
    make_subscriber("all@example.com")
    update = publish(components["Chat"], published=False)
    assert not Delivery.objects.exists()

    incidents.publish(update.incident)

    assert recipients(update) == {"all@example.com"}


def test_webhook_subscribers_get_webhook_deliveries(components, make_subscriber, publish, receiver):
    make_subscriber("ops@example.com", kind="webhook", webhook_url=receiver.url)

    update = publish(components["Chat"])

    assert list(Delivery.objects.filter(update=update).values_list("channel", flat=True)) == ["webhook"]


def test_the_doorbell_rings_after_commit_not_before(
    components, make_subscriber, publish, delivery_queue, django_capture_on_commit_callbacks
):
    make_subscriber()
    with django_capture_on_commit_callbacks(execute=True):
        publish(components["Chat"])
        assert delivery_queue.tasks() == []  # still inside the transaction

    assert delivery_queue.tasks() == ["subscriptions.send_emails"]
