"""A component status change queues a webhook delivery per interested subscriber, in the same transaction."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from monitors.models import StateChange
from statuspage.components.models import ComponentGroup, ComponentStatusChange
from statuspage.components.propagation import propagate
from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery


def hook(make_subscriber, name: str, **fields):
    return make_subscriber(
        f"{name}@example.com", kind="webhook", webhook_url=f"https://{name}.example/hook", **fields
    )


def component_recipients() -> list[str]:
    rows = Delivery.objects.filter(purpose="component").order_by("subscriber__email")
    return list(rows.values_list("subscriber__email", flat=True))


def test_a_monitor_taking_a_component_down_queues_a_webhook_for_each_interested_subscriber(
    make_monitor, make_component, make_subscriber
):
    monitor = make_monitor(status="down")
    chat, images = make_component("Chat", monitors=[monitor]), make_component("Images")
    hook(make_subscriber, "all")
    hook(make_subscriber, "chat", components=[chat])
    hook(make_subscriber, "images", components=[images])
    hook(make_subscriber, "pending", confirmed=False)
    make_subscriber("mail@example.com")  # email subscribers are told about incidents only
    StateChange.objects.create(monitor=monitor, old_status="up", new_status="down")

    propagate(timezone.now())

    assert component_recipients() == ["all@example.com", "chat@example.com"]
    change = ComponentStatusChange.objects.get()
    assert (change.old_status, change.new_status) == ("operational", "major_outage")
    assert set(Delivery.objects.filter(purpose="component").values_list("component_change", "channel")) == {
        (change.pk, "webhook")
    }


def test_setting_the_same_status_again_writes_nothing(make_component, make_subscriber):
    chat = make_component("Chat")
    hook(make_subscriber, "all")
    assert chat.set_status("major_outage", timezone.now(), source="monitors")

    assert not chat.set_status("major_outage", timezone.now(), source="monitors")
    chat.refresh_from_db()  # a fresh copy, as the next sweep would load it
    assert not chat.set_status("major_outage", timezone.now(), source="monitors")

    assert ComponentStatusChange.objects.count() == 1
    assert component_recipients() == ["all@example.com"]


def test_a_rolled_back_change_leaves_neither_the_change_nor_a_delivery(make_component, make_subscriber):
    chat = make_component("Chat")
    hook(make_subscriber, "all")

    with pytest.raises(RuntimeError), transaction.atomic():
        chat.set_status("major_outage", timezone.now(), source="monitors")
        assert Delivery.objects.filter(purpose="component").count() == 1  # written with the change
        raise RuntimeError("the sweep failed after the status was written")

    chat.refresh_from_db()
    assert chat.status == "operational"
    assert not ComponentStatusChange.objects.exists()
    assert not Delivery.objects.exists()


def test_enqueueing_a_change_twice_adds_nothing(make_component, make_subscriber):
    chat = make_component("Chat")
    hook(make_subscriber, "all")
    chat.set_status("partial_outage", timezone.now(), source="monitors")

    assert outbox.enqueue_component_change(ComponentStatusChange.objects.get()) == 0
    assert Delivery.objects.count() == 1


def test_only_the_component_that_changed_is_announced_not_its_group_or_siblings(
    make_component, make_subscriber
):
    models = ComponentGroup.objects.create(name="Models")
    chat, images = make_component("Chat", group=models), make_component("Images", group=models)
    hook(make_subscriber, "images", components=[images])
    hook(make_subscriber, "all")

    chat.set_status("major_outage", timezone.now(), source="monitors")

    assert component_recipients() == ["all@example.com"]
    assert Delivery.objects.get().component_change.component == chat


def test_an_incident_update_that_changes_a_component_announces_both(components, make_subscriber, publish):
    hook(make_subscriber, "chat", components=[components["Chat"]])

    update = publish(components["Chat"])  # sets Chat to partial_outage

    rows = Delivery.objects.order_by("purpose").values_list(
        "purpose", "update", "component_change__new_status"
    )
    assert list(rows) == [("component", None, "partial_outage"), ("update", update.pk, None)]


@pytest.mark.parametrize(
    "targets",
    [
        {"purpose": "component"},  # about nothing
        {"purpose": "update", "change": True},  # about the wrong thing
        {"purpose": "component", "change": True, "update": True},  # about two things
        {"purpose": "confirm", "change": True},
    ],
)
def test_a_delivery_is_about_exactly_the_one_thing_its_purpose_names(
    components, make_subscriber, publish, targets
):
    update = publish()
    components["Chat"].set_status("major_outage", timezone.now(), source="monitors")
    change = ComponentStatusChange.objects.get()
    subscriber = hook(make_subscriber, "late")  # after both: no delivery of its own to collide with
    row = Delivery(
        channel="webhook", purpose=targets["purpose"], subscriber=subscriber,
        update=update if targets.get("update") else None,
        component_change=change if targets.get("change") else None,
    )  # fmt: skip

    with pytest.raises(IntegrityError, match="delivery_target_matches_purpose"), transaction.atomic():
        row.save()


def test_one_delivery_per_subscriber_and_change(make_component, make_subscriber):
    chat = make_component("Chat")
    subscriber = hook(make_subscriber, "all")
    chat.set_status("major_outage", timezone.now(), source="monitors")

    with pytest.raises(IntegrityError, match="delivery_once_per_component_change"), transaction.atomic():
        Delivery.objects.create(
            channel="webhook", purpose="component", subscriber=subscriber,
            component_change=ComponentStatusChange.objects.get(),
        )  # fmt: skip
