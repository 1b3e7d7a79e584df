"""The one way incidents change: automation and operators call these same functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from statuspage.components.models import Component
from statuspage.incidents.models import Incident, IncidentStatus, IncidentUpdate, UpdateRevision
from statuspage.lib import pageversion
from statuspage.lib.chain import Link

# Delivery rows for each subscriber (subscriptions.outbox), in the update's transaction.
announce_update: Link[[IncidentUpdate], int] = Link("incidents.services.announce_update")


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
    request_key: str = "",
    previous_statuses: Mapping[Component, str] | None = None,
) -> Incident:
    """Create an incident with its first update, setting each affected component's status.

    A `request_key` already used (a form submitted twice) returns the incident it opened.
    """
    if request_key and (done := IncidentUpdate.objects.filter(request_key=request_key).first()):
        return done.incident
    now = now or timezone.now()
    incident = Incident.objects.create(
        name=name, impact=impact, status=status, automatic=automatic, published=published,
        detection=detection or {"method": "operator"}, created_at=now, updated_at=now, started_at=now,
    )  # fmt: skip
    incident.components.set(list(component_statuses))
    post_update(
        incident, status=status, body=body, component_statuses=component_statuses, notify=notify,
        author=author, now=now, request_key=request_key, previous_statuses=previous_statuses,
    )  # fmt: skip
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
    request_key: str = "",
    previous_statuses: Mapping[Component, str] | None = None,
) -> IncidentUpdate:
    """Append an update, move the incident's status and timestamps, and set component statuses.

    Components named in `component_statuses` join the incident's affected components. Subscribers
    are notified (by the outbox, in this same transaction) when `notify` and the incident is
    published. A `request_key` already used (a form submitted twice) returns that update unchanged.
    `previous_statuses` names what components showed before, when the caller has already applied the
    change (automation follows monitors); the update then records that as their old status.
    """
    if request_key and (done := IncidentUpdate.objects.filter(request_key=request_key).first()):
        return done
    now = now or timezone.now()
    affected = _apply_component_statuses(component_statuses or {}, now, previous_statuses or {})
    if component_statuses:
        incident.components.add(*component_statuses)
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, body=body, created_at=now, updated_at=now, display_at=now,
        affected_components=affected, deliver_notifications=notify, author=author, request_key=request_key,
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


@transaction.atomic
def edit_update(
    update: IncidentUpdate, *, body: str, author=None, notify: bool = False, now: datetime | None = None
) -> IncidentUpdate | None:
    """Correct an update's text in place, keeping the text it replaces (what was shown and sent).

    Nothing is sent unless `notify`: then subscribers get a new update carrying the correction, which
    is returned (one message per subscriber and update is what receivers deduplicate on, so the
    corrected update itself cannot be sent again).
    """
    now = now or timezone.now()
    update = IncidentUpdate.objects.select_for_update().select_related("incident").get(pk=update.pk)
    if body == update.body:
        return None
    incident = update.incident
    notify = notify and incident.published
    UpdateRevision.objects.create(update=update, body=update.body, edited_at=now, edited_by=author,
                                  notified=notify)  # fmt: skip
    update.body, update.updated_at = body, now
    update.save(update_fields=["body", "updated_at"])
    if not notify:
        if incident.published:
            transaction.on_commit(pageversion.bump)
        return None
    stamp = update.display_at.astimezone(UTC).strftime("%d %b %Y, %H:%M")
    return post_update(incident, status=incident.status, author=author, now=now,
                       body=f"Correction to the update of {stamp} UTC:\n\n{body}")  # fmt: skip


@transaction.atomic
def save_postmortem_draft(incident: Incident, *, body: str) -> None:
    """Keep work on a postmortem; readers and subscribers see nothing of it until it is published."""
    incident.postmortem_draft = body
    incident.save(update_fields=["postmortem_draft"])


@transaction.atomic
def publish_postmortem(
    incident: Incident, *, body: str, notify: bool = True, author=None, now: datetime | None = None
) -> IncidentUpdate:
    """Publish a resolved incident's postmortem: on its page, as a "postmortem" update (so in the API
    and feeds), and to subscribers when `notify`. Publishing again edits that update (kept history).
    """
    if incident.kind != Incident.Kind.INCIDENT or incident.status not in (
        IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM
    ):  # fmt: skip
        raise ValueError("A postmortem is published once the incident is resolved.")
    if not body.strip():
        raise ValueError("The postmortem is empty.")
    now = now or timezone.now()
    previous = incident.updates.filter(status=IncidentStatus.POSTMORTEM).order_by("-display_at").first()
    incident.postmortem_body, incident.postmortem_draft = body, ""
    incident.postmortem_published_at = incident.postmortem_published_at or now
    incident.save(update_fields=["postmortem_body", "postmortem_draft", "postmortem_published_at"])
    if previous is None:
        return post_update(incident, status=IncidentStatus.POSTMORTEM, body=body, notify=notify,
                           author=author, now=now)  # fmt: skip
    edit_update(previous, body=body, author=author, notify=notify, now=now)
    return previous


@transaction.atomic
def discard(incident: Incident, *, now: datetime | None = None) -> None:
    """Close an automatic incident held for review without publishing it: nothing is shown or sent."""
    if incident.published:
        raise ValueError("A published incident is resolved with an update, not discarded.")
    now = now or timezone.now()
    incident.status, incident.updated_at = IncidentStatus.RESOLVED, now
    incident.resolved_at = incident.resolved_at or now
    incident.save(update_fields=["status", "updated_at", "resolved_at"])


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
        component.set_status(new_status, now, source="incident update")
    return affected


def _after_publish(update: IncidentUpdate) -> None:
    transaction.on_commit(pageversion.bump)
    announce_update(update)  # Delivery rows in this transaction; the doorbell rings on commit
