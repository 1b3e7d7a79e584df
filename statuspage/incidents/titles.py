"""Automatic incident titles that follow the incident: what users see now, then "Resolved: ..."

The title automation gave is kept in the detection record; an operator who renames the incident
takes it over, and automation leaves their title alone from then on.
"""

from __future__ import annotations

from collections.abc import Iterable

from statuspage.components.models import Component, ComponentStatus, worst
from statuspage.incidents.models import Incident, IncidentStatus

WHAT_USERS_SEE = {
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance on {}",
    ComponentStatus.PARTIAL_OUTAGE: "Elevated errors on {}",
    ComponentStatus.MAJOR_OUTAGE: "Outage of {}",
}
KEY = "title"  # detection[KEY]: {"text": the last title automation gave, "status": the worst one named}


def describe(components: Iterable[Component], status: str) -> str:
    """E.g. "Elevated errors on Acme AI Chat, Models" (the first one's group names them all)."""
    found = list(components)
    group = found[0].group.name + " " if found and found[0].group_id else ""
    names = group + ", ".join(c.name for c in found)
    return WHAT_USERS_SEE.get(status, "Degraded performance on {}").format(names)


def opening(components: Iterable[Component]) -> dict[str, str]:
    """The detection record's title entry for a new incident; its text is the incident's name."""
    found = list(components)
    status = worst(c.status for c in found)
    return {"text": describe(found, status), "status": status}


def follow(incident: Incident, status: str) -> None:
    """Retitle an automatic incident about to move to `status`, unless an operator has renamed it.

    The title names the worst the incident has been (an outage easing to errors is still the outage
    readers were told of), "Recovering: ..." while monitoring, "Resolved: ..." at the end.
    """
    given = incident.detection.get(KEY)
    if not incident.automatic or not isinstance(given, dict) or incident.name != given.get("text"):
        return
    components = list(incident.components.all())
    failing = [c.status for c in components if c.status in WHAT_USERS_SEE]
    peak = worst([given.get("status", ComponentStatus.DEGRADED_PERFORMANCE), *failing])
    base = describe(components, peak)
    if status == IncidentStatus.RESOLVED:
        title = f"Resolved: {base}"
    elif status == IncidentStatus.MONITORING and not failing:
        title = f"Recovering: {base}"
    else:
        title = base
    incident.name = title
    incident.detection = {**incident.detection, KEY: {"text": title, "status": peak}}
