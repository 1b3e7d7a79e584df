"""Who did what and when to an incident, from the admin log (every operator view writes to it)."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from statuspage.incidents.models import Incident

SHOWN = 200


def for_incident(incident: Incident) -> QuerySet[LogEntry]:
    """Admin log entries about the incident (its updates are logged on it), newest first."""
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Incident), object_id=str(incident.pk)
        )
        .select_related("user")
        .order_by("-action_time")[:SHOWN]
    )
