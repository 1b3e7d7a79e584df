"""The outbox: Delivery rows written inside the publisher's transaction, and the doorbell rung on commit."""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from statuspage.components.models import Component, ComponentStatusChange
from statuspage.incidents.models import IncidentUpdate
from statuspage.subscriptions.models import Delivery, Subscriber

log = logging.getLogger(__name__)

# Table names come from the models and every value is a parameter.
_FAN_OUT = f"""
INSERT INTO {Delivery._meta.db_table}
    (channel, purpose, state, subscriber_id, update_id, recipient, attempts, next_attempt_at, created_at,
     last_error)
SELECT s.kind, 'update', 'pending', s.id, %(update)s, '', 0, %(now)s, %(now)s, ''
FROM {Subscriber._meta.db_table} s
WHERE s.confirmed_at IS NOT NULL
  AND (%(everyone)s OR s.all_components OR EXISTS (
      SELECT 1 FROM {Subscriber.components.through._meta.db_table} sc
      WHERE sc.subscriber_id = s.id AND sc.component_id = ANY(%(components)s)))
ON CONFLICT DO NOTHING
RETURNING channel
"""  # noqa: S608


def enqueue_update(update: IncidentUpdate) -> int:
    """Write one Delivery per confirmed subscriber the update concerns. Safe to call twice.

    It concerns subscribers to any of its components (the incident's and the update's), or everyone
    when it names no component. Call inside the transaction that publishes the update.
    """
    if not update.deliver_notifications:
        return 0
    codes = [c["code"] for c in update.affected_components if c.get("code")]
    component_ids = set(update.incident.components.values_list("pk", flat=True))
    component_ids |= set(Component.objects.filter(public_id__in=codes).values_list("pk", flat=True))
    params = {"update": update.pk, "now": timezone.now(), "everyone": not component_ids,
              "components": sorted(component_ids)}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT, params)
        rows = cursor.fetchall()
    ring_on_commit({channel for (channel,) in rows})
    return len(rows)


# Webhook subscribers only: Statuspage emails component changes only to those who ask, and we offer
# no such choice.
_COMPONENT_FAN_OUT = f"""
INSERT INTO {Delivery._meta.db_table}
    (channel, purpose, state, subscriber_id, component_change_id, recipient, attempts, next_attempt_at,
     created_at, last_error)
SELECT 'webhook', 'component', 'pending', s.id, %(change)s, '', 0, %(now)s, %(now)s, ''
FROM {Subscriber._meta.db_table} s
WHERE s.kind = 'webhook' AND s.confirmed_at IS NOT NULL
  AND (s.all_components OR EXISTS (
      SELECT 1 FROM {Subscriber.components.through._meta.db_table} sc
      WHERE sc.subscriber_id = s.id AND sc.component_id = %(component)s))
ON CONFLICT DO NOTHING
RETURNING id
"""  # noqa: S608


def enqueue_component_change(change: ComponentStatusChange) -> int:
    """Write one webhook Delivery per confirmed webhook subscriber to the changed component. Safe to
    call twice. Call inside the transaction that logs the change (Component.set_status does).

    Only components are announced, never groups: a group has no status of its own (the worst of its
    children's, derived when read) and subscribers pick components, so a child's change is the event.
    """
    params = {"change": change.pk, "component": change.component_id, "now": timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(_COMPONENT_FAN_OUT, params)
        queued = len(cursor.fetchall())
    if queued:
        ring_on_commit({Delivery.Channel.WEBHOOK})
    return queued


def enqueue_message(subscriber: Subscriber, purpose: str) -> Delivery:
    """Queue a confirmation or manage-link email to a subscriber's address."""
    delivery = Delivery.objects.create(channel=Delivery.Channel.EMAIL, purpose=purpose, subscriber=subscriber)
    ring_on_commit({Delivery.Channel.EMAIL})
    return delivery


# Each channel's sender task, rung by name (subscriptions/tasks.py imports this module, not the reverse).
SENDER_TASKS = {
    Delivery.Channel.EMAIL: "subscriptions.send_emails",
    Delivery.Channel.WEBHOOK: "subscriptions.send_webhooks",
    Delivery.Channel.CHAT: "subscriptions.send_chat",
    Delivery.Channel.OPERATOR: "subscriptions.send_operator_notices",
}


def ring_on_commit(channels: set[str]) -> None:
    for channel in sorted(channels):
        transaction.on_commit(lambda channel=channel: ring(channel))


def ring(channel: str) -> None:
    """Ask a worker to send a channel's due deliveries now; if this is lost, the sweep finds them."""
    try:
        current_app.send_task(SENDER_TASKS[channel], queue=settings.DELIVERY_QUEUE, retry=False)
    except Exception:  # a broker outage must not fail the write that already committed
        log.warning("could not ring the %s delivery doorbell; the sweep will send", channel, exc_info=True)
