"""What readers and subscribers will see of an update, before the operator posts it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from statuspage.components.models import Component, ComponentStatus
from statuspage.incidents import markdown
from statuspage.incidents.models import Incident, IncidentStatus, IncidentUpdate
from statuspage.subscriptions import emails
from statuspage.subscriptions.models import Subscriber


def build(
    incident: Incident,
    *,
    status: str,
    body: str,
    component_statuses: Mapping[Component, str],
    notify: bool,
    concerned: Iterable[Component] = (),
) -> dict[str, Any]:
    """The page's rendering of the update and the email subscribers get, from unsaved objects.

    `concerned` are the incident's components already: with the new ones, they decide who is told.
    """
    now = timezone.now()
    update = IncidentUpdate(incident=incident, status=status, body=body, display_at=now)
    changes = [
        {"name": c.display_name, "old": c.get_status_display(), "new": ComponentStatus(new).label}
        for c, new in component_statuses.items()
    ]
    context = {
        "site_name": settings.SITE_NAME,
        "incident": incident,
        "update": update,
        "status_label": IncidentStatus(status).label,
        "components": [{"name": change["name"], "status": change["new"]} for change in changes]
        or _components_now(incident),
        "incident_url": f"{settings.SITE_URL}/incidents/{incident.public_id}",
        "manage_url": "#manage",
        "unsubscribe_url": "#unsubscribe",
        "to": "subscriber@example.com",
    }
    return {
        "status_label": context["status_label"],
        "body_html": markdown.render(body),
        "changes": changes,
        "notify": notify and incident.published,
        "held": not incident.published,
        "recipients": recipients({*concerned, *component_statuses}),
        "subject": emails.subject_line("incident_update", context),
        "email_text": render_to_string("email/incident_update.txt", context),
        "email_html": render_to_string("email/incident_update.html", context),
    }


def _components_now(incident: Incident) -> list[dict[str, str]]:
    """What the email lists when an update changes no component: the incident's, as they are now."""
    if incident.pk is None:  # an incident being opened has none yet
        return []
    components = incident.components.select_related("group")
    return [{"name": c.display_name, "status": c.get_status_display()} for c in components]


def recipients(components: set[Component]) -> int:
    """Confirmed subscribers the outbox would write a delivery for (everyone when no component)."""
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False)
    if components:
        subscribers = subscribers.filter(Q(all_components=True) | Q(components__in=components)).distinct()
    return subscribers.count()
