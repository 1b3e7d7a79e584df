"""Incident automation: open, update and resolve incidents from component status.

It goes through the same service functions operators use, so an automatic incident reads, publishes
and notifies exactly like a written one. Rules:

- A component leaves operational (not for maintenance, not by an operator's override) and no open
  incident covers it: open one ("Investigating", impact from severity) - unless an automatic incident
  is already open for its group or provider, which it joins (one incident per outage, not per monitor).
- A covered component worsens, improves while still failing, or fails again while "Monitoring":
  post an update; impact only ever rises while the incident is open.
- Every component of the incident is healthy again: post "Monitoring"; after INCIDENT_QUIET_PERIOD_S
  without relapse (`sweep`), post "Resolved". A relapse before that reopens the same incident.
- Major and critical incidents publish at once; minor ones wait for an operator's approval when
  INCIDENT_REVIEW_MINOR is on, and publish by themselves if they become severe.
- Incidents an operator opened are theirs: automation never updates or resolves them.
- Each incident records how it was detected and, where the provider has an upstream status page,
  when the provider acknowledged it and how many seconds earlier we did (`note_upstream`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from monitors.models import Monitor, MonitorStatus
from statuspage.components.models import Component, ComponentStatus, worst
from statuspage.components.propagation import Changes, expire_overrides
from statuspage.incidents import maintenance, services, titles
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Impact, Incident, IncidentStatus
from statuspage.lib.chain import Link
from statuspage.lib.operator_events import EventKind, OperatorEvent
from statuspage.lib.timefmt import iso_ms

HEALTHY = frozenset({ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE})
IMPACT = {
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}
IMPACT_RANK = {Impact.NONE: 0, Impact.MINOR: 1, Impact.MAJOR: 2, Impact.CRITICAL: 3}
SEVERE = frozenset({Impact.MAJOR, Impact.CRITICAL})
UPSTREAM_LOOKBACK = timedelta(hours=6)  # an upstream page admitting an outage after we resolved it

RESOLVED = "This incident has been resolved."

# Operator events go to subscriptions.alerts, which decides who hears them (pipeline/chain.py).
notify_operators: Link[[OperatorEvent], bool] = Link("incidents.automation.notify_operators")


@transaction.atomic
def on_component_changes(changes: Changes, now: datetime) -> list[Incident]:
    """React to components whose status just changed; returns the incidents opened or updated.

    Maintenance and operator overrides are not the monitors speaking: they are left alone.
    """
    changes = [
        (c, old)
        for c, old in changes
        if not _overridden(c, now) and c.status != ComponentStatus.UNDER_MAINTENANCE
    ]
    if not changes:
        return []
    open_incidents = list(
        Incident.objects.open_incidents().select_for_update().prefetch_related("components__monitors")
    )
    joining: dict[Incident, Changes] = {}
    new_outages: dict[object, Changes] = {}
    recovering: dict[Incident, Changes] = {}
    for component, old in changes:
        covering = [i for i in open_incidents if component in i.components.all()]
        if component.status in HEALTHY:
            for incident in covering:
                if incident.automatic:
                    recovering.setdefault(incident, []).append((component, old))
            continue
        if any(not i.automatic for i in covering):
            continue  # an operator is handling it
        target = covering[0] if covering else _related(open_incidents, component)
        if target is not None:
            joining.setdefault(target, []).append((component, old))
        else:
            new_outages.setdefault(_outage_key(component), []).append((component, old))
    touched = [_open(items, now) for items in new_outages.values()]
    touched += [_worsen(incident, items, now) for incident, items in joining.items()]
    touched += [_recover(incident, items, now) for incident, items in recovering.items()]
    return [i for i in touched if i is not None]


def sweep(now: datetime) -> list[Incident]:
    """Periodic: maintenance windows, expired overrides, and quiet periods that are over."""
    with transaction.atomic():
        touched = on_component_changes(maintenance.advance(now) + expire_overrides(now), now)
        quiet_since = now - timedelta(seconds=settings.INCIDENT_QUIET_PERIOD_S)
        quiet = (
            Incident.objects.open_incidents()
            .select_for_update(skip_locked=True)
            .filter(automatic=True, status=IncidentStatus.MONITORING, updated_at__lte=quiet_since)
        )
        for incident in quiet:
            if all(c.status in HEALTHY for c in incident.components.all()):
                titles.follow(incident, IncidentStatus.RESOLVED)
                update = services.post_update(
                    incident, UpdateDraft(status=IncidentStatus.RESOLVED, body=RESOLVED), now=now
                )
                touched.append(incident)
                if incident.published:
                    key = f"incident-resolved:{update.pk}"
                    _tell_operators(EventKind.INCIDENT_RESOLVED, incident, "resolved", RESOLVED, key=key)
    return touched


def note_upstream(monitor: Monitor, new_status: str, admitted_at: datetime) -> None:
    """The provider's own status page now admits trouble (an upstream monitor, graded by the page's
    claim, moved to degraded or down): record when, and our lead, on the incidents it concerns."""
    if new_status not in (MonitorStatus.DEGRADED, MonitorStatus.DOWN):
        return
    incidents = (
        Incident.objects.filter(
            kind=Incident.Kind.INCIDENT, automatic=True, components__monitors__provider=monitor.provider_id
        )
        .exclude(resolved_at__lt=admitted_at - UPSTREAM_LOOKBACK)
        .distinct()
    )
    for incident in incidents:
        if not incident.detection.get("upstream_acknowledged_at"):
            _acknowledged(incident, admitted_at)
            incident.save(update_fields=["detection"])


def _failing_since(monitor: Monitor) -> datetime | None:
    """The first result of the streak that made the monitor's regions fail."""
    regions = monitor.machine_state.regions.values()
    return min((r.since for r in regions if r.status == monitor.status and r.since), default=None)


def _admitted_at(upstream: Monitor) -> datetime | None:
    """Since when an upstream monitor's page has admitted trouble: its first result that said so."""
    admitting = (MonitorStatus.DEGRADED, MonitorStatus.DOWN)
    regions = upstream.machine_state.regions.values()
    return min((r.since for r in regions if r.status in admitting and r.since), default=None)


def _acknowledged(incident: Incident, at: datetime) -> None:
    incident.detection["upstream_acknowledged_at"] = iso_ms(at)
    incident.detection["lead_s"] = round((at - incident.created_at).total_seconds(), 3)


def _overridden(component: Component, now: datetime) -> bool:
    return bool(component.override_status) and (
        component.override_until is None or component.override_until > now
    )


def _providers(component: Component) -> set[int]:
    return {m.provider_id for m in component.monitors.all()}


def _outage_key(component: Component) -> object:
    """Components failing together with the same key share one new incident."""
    if component.group_id:
        return ("group", component.group_id)
    return ("providers", frozenset(_providers(component))) if _providers(component) else component.pk


def _related(open_incidents: list[Incident], component: Component) -> Incident | None:
    """An open automatic incident for the same group or provider: the outage is spreading."""
    providers = _providers(component)
    for incident in open_incidents:
        if not incident.automatic:
            continue
        for other in incident.components.all():
            if (component.group_id and other.group_id == component.group_id) or providers & _providers(other):
                return incident
    return None


def _impact(statuses: Iterable[str]) -> str:
    return IMPACT.get(worst(statuses), Impact.NONE)


def _describe(component: Component) -> str:
    name = f"{component.group.name} {component.name}" if component.group_id else component.name
    return f"{name}: {component.get_status_display().lower()}"


def _open(items: Changes, now: datetime) -> Incident:
    components = [c for c, _ in items]
    impact = _impact(c.status for c in components)
    failing = [m for c in components for m in c.monitors.all() if m.status != MonitorStatus.UP]
    detection = {
        "method": "probes",
        "detected_at": iso_ms(now),
        "first_failure_at": iso_ms(min((_failing_since(m) or now for m in failing), default=now)),
        "confirmed_at": iso_ms(min((m.status_changed_at or now for m in failing), default=now)),
        "monitors": [
            {"id": m.pk, "name": m.name, "status": m.status, "since": iso_ms(m.status_changed_at)}
            for m in failing
        ],
        "upstream_acknowledged_at": None,
        "lead_s": None,
        titles.KEY: titles.opening(components),
    }
    draft = IncidentDraft(
        name=detection[titles.KEY]["text"],
        impact=impact,
        body="Our probes show " + "; ".join(_describe(c) for c in components) + ". We are investigating.",
        component_statuses={c: c.status for c in components},
        previous_statuses=dict(items),
        automatic=True,
        published=impact in SEVERE or not settings.INCIDENT_REVIEW_MINOR,
        detection=detection,
    )
    incident = services.open_incident(draft, now=now)
    if not incident.published:
        _ask_for_approval(incident, components)
    else:
        body = incident.updates.get().body
        _tell_operators(
            EventKind.INCIDENT_OPENED, incident, "opened", body, key=f"incident-opened:{incident.pk}"
        )
    upstream = Monitor.objects.filter(
        provider__in={p for c in components for p in _providers(c)},
        kind="upstream",
        status__in=[MonitorStatus.DEGRADED, MonitorStatus.DOWN],
    )
    admitted = [t for m in upstream if (t := _admitted_at(m)) is not None]
    if admitted:
        _acknowledged(incident, min(admitted))
        incident.save(update_fields=["detection"])
    return incident


def _ask_for_approval(incident: Incident, components: list[Component]) -> None:
    """A held incident is invisible until someone approves it: operators must hear of it at once."""
    url = settings.SITE_URL + reverse("admin:incidents_incident_change", args=[incident.pk])
    body = (
        f"Our probes opened a {incident.get_impact_display().lower()} incident that waits for approval "
        f"before anything is shown or sent:\n\n  {incident.name}\n  "
        + "; ".join(_describe(c) for c in components)
        + f"\n\nApprove, edit or discard it: {url}\n"
        "It publishes by itself if the outage becomes major or critical."
    )
    subject = f"Incident awaiting approval: {incident.name}"
    notify_operators(
        OperatorEvent(EventKind.INCIDENT_HELD, subject, body, key=f"incident-held:{incident.pk}")
    )


def _tell_operators(kind: EventKind, incident: Incident, what: str, body: str, *, key: str) -> None:
    """An automatic incident that readers see opened, got worse or was resolved: page whoever is on call."""
    subject = f"Incident {what} ({incident.get_impact_display().lower()} impact): {incident.name}"
    url = settings.SITE_URL + reverse("admin:incidents_incident_change", args=[incident.pk])
    notify_operators(OperatorEvent(kind, subject, f"{body}\n\n{url}", key=key))


def _worsen(incident: Incident, items: Changes, now: datetime) -> Incident:
    """Components of this outage got worse, spread, improved but still fail, or failed again."""
    current = {c.pk for c in incident.components.all()}
    added = [c for c, _ in items if c.pk not in current]
    if added:
        incident.components.add(*added)
    status = IncidentStatus.INVESTIGATING if incident.status == IncidentStatus.MONITORING else incident.status
    lead = "The issue has recurred. " if incident.status == IncidentStatus.MONITORING else ""
    body = lead + "Our probes now show " + "; ".join(_describe(c) for c, _ in items) + "."
    impact = _impact([c.status for c in incident.components.all()])
    worse = IMPACT_RANK[impact] > IMPACT_RANK[incident.impact]
    if worse:
        incident.impact = impact
    titles.follow(incident, status)
    draft = UpdateDraft(
        status=status,
        body=body,
        component_statuses={c: c.status for c, _ in items},
        previous_statuses=dict(items),
    )
    update = services.post_update(incident, draft, now=now)
    if not incident.published and incident.impact in SEVERE:
        services.publish(incident)
    if (worse or added or lead) and incident.published:
        _tell_operators(
            EventKind.INCIDENT_WORSENED, incident, "worse", body, key=f"incident-worsened:{update.pk}"
        )
    return incident


def _recover(incident: Incident, items: Changes, now: datetime) -> Incident | None:
    components = list(incident.components.all())
    still = [c for c in components if c.status not in HEALTHY]
    recovered = ", ".join(_describe(c).split(":")[0] for c, _ in items)
    statuses = {c: c.status for c, _ in items}
    if still:
        body = f"{recovered} recovered; " + "; ".join(_describe(c) for c in still) + " still."
        status = incident.status
    elif incident.status != IncidentStatus.MONITORING:
        body = f"{recovered} recovered. We are monitoring the results."
        status = IncidentStatus.MONITORING
    else:
        return None
    titles.follow(incident, status)
    draft = UpdateDraft(status=status, body=body, component_statuses=statuses, previous_statuses=dict(items))
    services.post_update(incident, draft, now=now)
    return incident
