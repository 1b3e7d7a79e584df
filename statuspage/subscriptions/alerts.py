"""What operators hear, and where: every operator event goes through notify_operators, once per key.

| Event kind              | Email (OPERATOR_EMAILS or staff) | Push (OPERATOR_NOTIFY_URLS) |
|-------------------------|----------------------------------|-----------------------------|
| incident_opened         |                                  | yes                         |
| incident_worsened       |                                  | yes                         |
| incident_resolved       |                                  | yes                         |
| incident_held           | yes                              | yes                         |
| monitor_misconfigured   | yes                              | yes                         |
| monitors_silent         | yes                              | yes                         |
| pipeline_stalled        | yes                              | yes                         |
| alert (anything else)   | yes                              | yes                         |

Automatic incidents are public already, so they page (whoever is on call should look) but do not
also fill the operators' inboxes; the rest need an operator to act and go both ways. Every message is a
Delivery row written in the caller's transaction and sent by the delivery workers: nothing is sent
inline, in a request or in a probe batch.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from statuspage.lib.operator_events import EventKind, OperatorEvent
from statuspage.subscriptions import outbox
from statuspage.subscriptions.models import Delivery, OperatorAlert

log = logging.getLogger(__name__)


EMAILED = frozenset(EventKind) - {
    EventKind.INCIDENT_OPENED,
    EventKind.INCIDENT_WORSENED,
    EventKind.INCIDENT_RESOLVED,
}
# Apprise's notify types: the colour or priority each service gives the message.
SEVERITY = {EventKind.INCIDENT_RESOLVED: "success", EventKind.INCIDENT_HELD: "warning",
            EventKind.MONITOR_MISCONFIGURED: "warning", EventKind.ALERT: "warning"}  # fmt: skip


def notify_operators(event: OperatorEvent) -> bool:
    """Queue the event for every operator channel its kind goes to, once per key; True if this call did.

    Call it inside the transaction that found what happened: it is sent only if that commits.
    """
    if not event.key or len(event.key) > OperatorAlert._meta.get_field("key").max_length:
        raise ValueError("an alert key must be 1 to 200 characters")
    subject = " ".join(event.subject.split())[:200]  # one header line, whatever the caller passed
    with transaction.atomic():
        alert, created = OperatorAlert.objects.get_or_create(
            key=event.key, defaults={"kind": event.kind, "subject": subject, "body": event.body}
        )
        if not created:
            return False
        emails = operator_addresses() if event.kind in EMAILED else []
        rows = [Delivery(channel=Delivery.Channel.EMAIL, recipient=address) for address in emails]
        rows += [Delivery(channel=Delivery.Channel.OPERATOR, recipient=label) for label in notify_targets()]
        for row in rows:
            row.purpose, row.alert = Delivery.Purpose.ALERT, alert
        Delivery.objects.bulk_create(rows)
        outbox.ring_on_commit({row.channel for row in rows})
        if not rows:
            log.warning(
                "operator event %r has nobody to go to: set OPERATOR_NOTIFY_URLS or OPERATOR_EMAILS",
                event.key,
            )
    return True


def alert_operators(subject: str, body: str, key: str) -> bool:
    """An event of no particular kind: emailed and pushed (see notify_operators)."""
    return notify_operators(OperatorEvent(EventKind.ALERT, subject, body, key))


def operator_addresses() -> list[str]:
    if settings.OPERATOR_EMAILS:
        return list(dict.fromkeys(settings.OPERATOR_EMAILS))
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return list(dict.fromkeys(staff.order_by("pk").values_list("email", flat=True)))


def notify_targets() -> dict[str, str]:
    """Label -> Apprise URL for each of OPERATOR_NOTIFY_URLS. A row stores the label (the scheme and a
    digest), never the URL with its tokens; the sender finds the URL again by it."""
    return {label(url): url for url in settings.OPERATOR_NOTIFY_URLS}


def label(url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{urlsplit(url).scheme}://…#{digest}"
