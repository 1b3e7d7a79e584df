"""Operator alerts (misconfigured monitors, incidents awaiting approval), emailed through the outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery, OperatorAlert

log = logging.getLogger(__name__)


def alert_operators(subject: str, body: str, key: str) -> bool:
    """Email every operator once per `key`, however often this is called; True if this call raised it.

    Put in the key what deserves a new alert, e.g. f"monitor-misconfigured:{monitor.pk}:{reason}".
    Call it inside the transaction that found the problem: the alert is sent only if that commits.
    """
    if not key or len(key) > OperatorAlert._meta.get_field("key").max_length:
        raise ValueError("an alert key must be 1 to 200 characters")
    subject = " ".join(subject.split())[:200]  # one header line, whatever the caller passed
    with transaction.atomic():
        alert, created = OperatorAlert.objects.get_or_create(
            key=key, defaults={"subject": subject, "body": body}
        )
        if not created:
            return False
        recipients = operator_addresses()
        Delivery.objects.bulk_create(
            Delivery(
                channel=Delivery.Channel.EMAIL, purpose=Delivery.Purpose.ALERT, alert=alert, recipient=address
            )
            for address in recipients
        )
        if recipients:
            outbox.ring_on_commit({Delivery.Channel.EMAIL})
        else:
            log.warning(
                "operator alert %r has nobody to go to: set OPERATOR_EMAILS or give staff an email", key
            )
    return True


def operator_addresses() -> list[str]:
    if settings.OPERATOR_EMAILS:
        return list(dict.fromkeys(settings.OPERATOR_EMAILS))
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return list(dict.fromkeys(staff.order_by("pk").values_list("email", flat=True)))
