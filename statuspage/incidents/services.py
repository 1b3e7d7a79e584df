"""The one way incidents change: automation and operators call these same functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from statuspage.components.models import Component
from statuspage.incidents.models import Incident, IncidentStatus, IncidentUpdate
from statuspage.lib import pageversion


@transaction.atomic
def open_incident(
    *,
    name: str,
    impact: str,
    body: str,
    component_statuses: Mapping[Component, str],
    status: str = IncidentStatus.INVESTIGATING,
    automatic: bool = False,
    published: bool = True,
    detection: dict | None = None,
    notify: bool = True,
    author=None,
    now: datetime | None = None,
    previous_statuses: Mapping[Component, str] | None = None,
) -> Incident:
    """Create an incident with its first update, setting each affected component's status."""
    now = now or timezone.now()
    incident = Incident.objects.create(
        name=name, impact=impact, status=status, automatic=automatic, published=published,
        detection=detection or {"method": "operator"}, created_at=now, updated_at=now, started_at=now,
    )  # fmt: skip
    incident.components.set(list(component_statuses))
    post_update(incident, status=status, body=body, component_statuses=component_statuses, notify=notify,
                author=author, now=now, previous_statuses=previous_statuses)  # fmt: skip
    return incident


@transaction.atomic
def post_update(
    incident: Incident,
    *,
    status: str,
    body: str,
    component_statuses: Mapping[Component, str] | None = None,
    notify: bool = True,
    author=None,
    now: datetime | None = None,
    previous_statuses: Mapping[Component, str] | None = None,
) -> IncidentUpdate:
    """Append an update, move the incident's status and timestamps, and set component statuses.

    `previous_statuses` names what components showed before, when the caller has already applied the
    change (automation follows monitors); the update then records that as their old status.
    Subscribers are notified (by the outbox, in this same transaction) when `notify` and the
    incident is published.
    """
    now = now or timezone.now()
    affected = _apply_component_statuses(component_statuses or {}, now, previous_statuses or {})
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, body=body, created_at=now, updated_at=now, display_at=now,
        affected_components=affected, deliver_notifications=notify, author=author,
    )  # fmt: skip
    incident.status = status
    incident.updated_at = now
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    if status in (IncidentStatus.RESOLVED, IncidentStatus.COMPLETED) and incident.resolved_at is None:
        incident.resolved_at = now
    incident.save()
    if incident.published:
        _after_publish(update)
    return update


@transaction.atomic
def publish(incident: Incident, *, notify: bool = True) -> None:
    """Publish an incident that was held for review; its updates so far go out now."""
    if incident.published:
        return
    incident.published = True
    incident.save(update_fields=["published"])
    for update in incident.updates.order_by("display_at"):
        if not notify:
            update.deliver_notifications = False
            update.save(update_fields=["deliver_notifications"])
        _after_publish(update)


def _apply_component_statuses(
    component_statuses: Mapping[Component, str], now: datetime, previous: Mapping[Component, str]
) -> list[dict]:
    affected = []
    for component, new_status in component_statuses.items():
        old_status = previous.get(component, component.status)
        affected.append(
            {"code": component.public_id, "name": component.name, "old_status": old_status,
             "new_status": new_status}
        )  # fmt: skip
        if component.status != new_status:
            component.status = new_status
            component.status_changed_at = now
            component.save(update_fields=["status", "status_changed_at", "updated_at"])
    return affected


def _after_publish(update: IncidentUpdate) -> None:
    transaction.on_commit(pageversion.bump)
