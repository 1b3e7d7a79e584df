"""Remind subscribers of a scheduled maintenance window before it starts, once, as an update."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction

from statuspage.incidents import services
from statuspage.incidents.drafts import UpdateDraft
from statuspage.incidents.models import Incident, IncidentStatus, IncidentUpdate


def send_due(now: datetime) -> list[IncidentUpdate]:
    """Post the reminder of every window whose reminder time has come. Safe to run twice.

    A window that has already started (the reminder was missed, e.g. the beat was down) is marked
    reminded without sending: a reminder after the start tells nobody anything.
    """
    sent = []
    with transaction.atomic():
        due = Incident.objects.select_for_update(skip_locked=True).filter(
            kind=Incident.Kind.MAINTENANCE,
            status=IncidentStatus.SCHEDULED,
            reminded_at=None,
            remind_at__lte=now,
        )
        for window in due.order_by("remind_at"):
            window.reminded_at = now
            window.save(update_fields=["reminded_at"])
            if window.published and window.scheduled_for > now:
                reminder = UpdateDraft(status=IncidentStatus.SCHEDULED, body=text(window))
                sent.append(services.post_update(window, reminder, now=now))
    return sent


def text(window: Incident) -> str:
    start = window.scheduled_for.astimezone(UTC)
    until = (
        f" until {window.scheduled_until.astimezone(UTC):%d %b %Y, %H:%M} UTC"
        if window.scheduled_until
        else ""
    )
    return f"Reminder: this maintenance starts at {start:%d %b %Y, %H:%M} UTC{until}."
