"""Scheduled maintenance: windows per component that start and complete on their own.

Inside a window its components show under_maintenance whatever the monitors say, so automation opens
no incident and raises no alarm for them; the monitors keep recording.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from statuspage.components.models import Component, ComponentStatus
from statuspage.components.propagation import Changes, target_status
from statuspage.incidents import services
from statuspage.incidents.models import Impact, Incident, IncidentStatus, IncidentUpdate

STARTED = "Scheduled maintenance is in progress. We will update when it is complete."
COMPLETED = "The scheduled maintenance has been completed."


@transaction.atomic
def schedule(
    *,
    name: str,
    body: str,
    components: Iterable[Component],
    starts_at: datetime,
    ends_at: datetime,
    notify: bool = True,
    remind_at: datetime | None = None,
    author=None,
    now: datetime | None = None,
    request_key: str = "",
) -> Incident:
    """Announce a window; `advance` starts and completes it, `reminders` reminds before it.

    A `request_key` already used (a form submitted twice) returns the window it scheduled.
    """
    if request_key and (done := IncidentUpdate.objects.filter(request_key=request_key).first()):
        return done.incident
    if ends_at <= starts_at:
        raise ValueError("A maintenance window must end after it starts.")
    if remind_at is not None and remind_at >= starts_at:
        raise ValueError("A reminder is sent before the window starts.")
    now = now or timezone.now()
    incident = Incident.objects.create(
        kind=Incident.Kind.MAINTENANCE, name=name, impact=Impact.MAINTENANCE, status=IncidentStatus.SCHEDULED,
        scheduled_for=starts_at, scheduled_until=ends_at, started_at=starts_at, created_at=now,
        updated_at=now, remind_at=remind_at, detection={"method": "operator"},
    )  # fmt: skip
    incident.components.set(list(components))
    services.post_update(incident, status=IncidentStatus.SCHEDULED, body=body, notify=notify, author=author,
                         now=now, request_key=request_key)  # fmt: skip
    return incident


@transaction.atomic
def advance(now: datetime) -> Changes:
    """Start windows that are due and complete those that are over. Safe to run twice.

    Returns (component, old_status) for each component whose status changed.
    """
    changes: Changes = []
    starting = Incident.objects.select_for_update(skip_locked=True).filter(
        kind=Incident.Kind.MAINTENANCE, status=IncidentStatus.SCHEDULED, scheduled_for__lte=now
    )
    for window in starting.order_by("scheduled_for"):
        components = list(window.components.all())
        changes += [(c, c.status) for c in components if c.status != ComponentStatus.UNDER_MAINTENANCE]
        statuses = dict.fromkeys(components, ComponentStatus.UNDER_MAINTENANCE)
        services.post_update(
            window, status=IncidentStatus.IN_PROGRESS, body=STARTED, component_statuses=statuses, now=now
        )
    ending = Incident.objects.select_for_update(skip_locked=True).active_maintenance()
    for window in ending.filter(scheduled_until__lte=now).order_by("scheduled_until"):
        # Complete first, so the window no longer counts when the components are recomputed.
        Incident.objects.filter(pk=window.pk).update(status=IncidentStatus.COMPLETED)
        components = list(window.components.prefetch_related("monitors"))
        still = Incident.objects.components_in_maintenance([c.pk for c in components])
        statuses = {c: target_status(c, now, c.pk in still) for c in components}
        changes += [(c, c.status) for c, new in statuses.items() if new != c.status]
        services.post_update(
            window, status=IncidentStatus.COMPLETED, body=COMPLETED, component_statuses=statuses, now=now
        )
    return changes
