"""Celery tasks: send due deliveries per channel (doorbell and sweep), and forget unconfirmed signups."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from statuspage.subscriptions import delivery, outbox
from statuspage.subscriptions.models import Delivery, Subscriber

# A task stops claiming batches and hands back what it has not sent after this (delivery.send_due);
# the send in hand may take up to its transport's timeout (at most 60 s).
BUDGET_S = 60
_LIMITS = {"soft_time_limit": BUDGET_S + 90, "time_limit": BUDGET_S + 120}


@shared_task(name="subscriptions.send_emails", **_LIMITS)
def send_emails() -> int:
    return delivery.send_due(
        Delivery.Channel.EMAIL, budget_s=BUDGET_S, on_full_batch=lambda: outbox.ring(Delivery.Channel.EMAIL)
    )


@shared_task(name="subscriptions.send_webhooks", **_LIMITS)
def send_webhooks() -> int:
    return delivery.send_due(
        Delivery.Channel.WEBHOOK,
        budget_s=BUDGET_S,
        on_full_batch=lambda: outbox.ring(Delivery.Channel.WEBHOOK),
    )


@shared_task(name="subscriptions.send_chat", **_LIMITS)
def send_chat() -> int:
    return delivery.send_due(
        Delivery.Channel.CHAT, budget_s=BUDGET_S, on_full_batch=lambda: outbox.ring(Delivery.Channel.CHAT)
    )


@shared_task(name="subscriptions.send_operator_notices", **_LIMITS)
def send_operator_notices() -> int:
    return delivery.send_due(Delivery.Channel.OPERATOR, budget_s=BUDGET_S)


SENDERS = {
    Delivery.Channel.EMAIL: send_emails,
    Delivery.Channel.WEBHOOK: send_webhooks,
    Delivery.Channel.CHAT: send_chat,
    Delivery.Channel.OPERATOR: send_operator_notices,
}


@shared_task(name="subscriptions.sweep", time_limit=60, soft_time_limit=50)
def sweep() -> list[str]:
    """Ring for every channel with due deliveries (their doorbell may have been lost); drop stale signups."""
    now = timezone.now()
    due = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
    channels = [channel for channel in SENDERS if due.filter(channel=channel).exists()]
    for channel in channels:
        outbox.ring(channel)
    # An address never confirmed is forgotten once its link has expired; one whose destination is gone,
    # as long after it ended (shown in admin meanwhile, with the reason).
    expired = now - timedelta(seconds=settings.SUBSCRIPTION_CONFIRM_MAX_AGE)
    Subscriber.objects.filter(confirmed_at=None, ended_at=None, created_at__lt=expired).delete()
    Subscriber.objects.filter(ended_at__lt=expired).delete()
    return channels
