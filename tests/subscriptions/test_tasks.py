"""The sweep stands in for lost doorbells and forgets signups never confirmed in time."""

from datetime import timedelta

from django.utils import timezone

from statuspage.subscriptions import tasks
from statuspage.subscriptions.models import Delivery, Subscriber


def test_the_sweep_rings_for_each_channel_with_due_deliveries(delivery_queue, make_subscriber, publish):
    update = publish()  # before anyone subscribed: it queues nothing itself
    Delivery.objects.create(channel="email", purpose="confirm", subscriber=make_subscriber(confirmed=False))
    Delivery.objects.create(
        channel="webhook", purpose="update", update=update, subscriber=make_subscriber(),
        next_attempt_at=timezone.now() + timedelta(minutes=5),  # backing off: not due
    )  # fmt: skip
    assert tasks.sweep() == ["email"]
    assert delivery_queue.tasks() == ["subscriptions.send_emails"]


def test_the_sweep_forgets_signups_whose_confirmation_link_expired(settings, delivery_queue, make_subscriber):
    long_ago = timezone.now() - timedelta(seconds=settings.SUBSCRIPTION_CONFIRM_MAX_AGE + 60)
    stale = make_subscriber("stale@example.com", confirmed=False, created_at=long_ago)
    fresh = make_subscriber("fresh@example.com", confirmed=False)
    loyal = make_subscriber("loyal@example.com", created_at=long_ago)

    tasks.sweep()

    assert set(Subscriber.objects.values_list("pk", flat=True)) == {fresh.pk, loyal.pk}
    assert not Subscriber.objects.filter(pk=stale.pk).exists()


def test_a_subscription_whose_webhook_is_gone_is_kept_until_it_was_told_then_forgotten(
    settings, delivery_queue, make_subscriber
):
    long_ago = timezone.now() - timedelta(seconds=settings.SUBSCRIPTION_CONFIRM_MAX_AGE + 60)
    just_ended = make_subscriber(kind="chat", chat_app="slack", confirmed=False, created_at=long_ago,
                                 ended_at=timezone.now(), ended_reason="404")  # fmt: skip
    ended_long_ago = make_subscriber(kind="chat", chat_app="slack", confirmed=False, created_at=long_ago,
                                     ended_at=long_ago, ended_reason="404")  # fmt: skip
    Delivery.objects.create(channel="email", purpose="ended", subscriber=just_ended)

    tasks.sweep()

    assert list(Subscriber.objects.values_list("pk", flat=True)) == [just_ended.pk]
    assert not Subscriber.objects.filter(pk=ended_long_ago.pk).exists()


def test_every_channels_doorbell_rings_its_own_registered_sender(delivery_queue):
    """A channel whose doorbell named no task was only ever sent by the sweep, seconds late."""
    from celery import current_app

    from statuspage.subscriptions import outbox

    for channel in Delivery.Channel:
        outbox.ring(channel)

    rung = delivery_queue.tasks()
    assert sorted(rung) == sorted(outbox.SENDER_TASKS[channel] for channel in Delivery.Channel)
    assert set(rung) == {task.name for task in tasks.SENDERS.values()} <= set(current_app.tasks)
