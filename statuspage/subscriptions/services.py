"""What a subscriber can do: ask, confirm, choose components, leave. Views call these, nothing else writes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from statuspage.components.models import Component
from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery, Subscriber


@transaction.atomic
def request_subscription(
    *, email: str, webhook_url: str = "", chat_app: str = "", components: Sequence[Component] | None
) -> None:
    """Start a subscription and email its confirmation link; for an existing one, email its manage link.

    The caller answers the same either way, so the form tells no one who is subscribed; and a stranger
    cannot change a confirmed subscriber's choice, only send them (throttled) their own link.
    """
    kind = Subscriber.Kind.EMAIL
    if webhook_url:
        kind = Subscriber.Kind.CHAT if chat_app else Subscriber.Kind.WEBHOOK
    lookup = Subscriber.objects.select_for_update().filter(
        kind=kind, email__iexact=email, webhook_url=webhook_url
    )
    subscriber = lookup.first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    kind=kind, email=email, webhook_url=webhook_url, chat_app=chat_app
                )
        except IntegrityError:  # the same address, submitted twice at once
            subscriber = lookup.get()
    if subscriber.confirmed:
        outbox.enqueue_message(subscriber, Delivery.Purpose.MANAGE_LINK)
        return
    set_components(subscriber, components)
    outbox.enqueue_message(subscriber, Delivery.Purpose.CONFIRM)


def confirm(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at=None).update(
        confirmed_at=timezone.now(), ended_at=None, ended_reason=""
    )


@transaction.atomic
def end(subscriber: Subscriber, *, reason: str) -> bool:
    """The destination is gone for good (a chat webhook was deleted): send it nothing more and tell the
    subscriber by email why, once however many deliveries find out. True if this call ended it."""
    ended = Subscriber.objects.filter(pk=subscriber.pk, ended_at=None).update(
        ended_at=timezone.now(), ended_reason=reason[:200], confirmed_at=None
    )
    if ended:
        outbox.enqueue_message(subscriber, Delivery.Purpose.ENDED)
    return bool(ended)


@transaction.atomic
def set_components(subscriber: Subscriber, components: Sequence[Component] | None) -> None:
    """Subscribe to these components only, or to everything (now and later) when None."""
    subscriber.all_components = components is None
    subscriber.save(update_fields=["all_components"])
    subscriber.components.set(components or [])


def unsubscribe(public_id: str) -> None:
    """Forget the subscriber and every message still queued for them. Doing it twice is harmless."""
    Subscriber.objects.filter(public_id=public_id).delete()
