"""Statuspage v2 JSON (reference/statuspage-api-v2.md §1): our models serialised, the documents by path."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from statuspage.components import watchdog
from statuspage.components.models import Component, ComponentGroup, ComponentStatus, worst
from statuspage.incidents.models import Incident
from statuspage.lib.installation import page_id
from statuspage.lib.timefmt import iso_ms
from statuspage.readmodel.current import Current, load

PATHS = (
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)

INDICATOR_TEXT = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}


def page(updated_at) -> dict[str, Any]:
    return {
        "id": page_id(),
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL,
        "time_zone": "Etc/UTC",
        "updated_at": iso_ms(updated_at),
    }


def component(c: Component, position: int) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "name": c.name,
        "status": c.status,
        "created_at": iso_ms(c.created_at),
        "updated_at": iso_ms(c.updated_at),
        "position": position,
        "description": c.description or None,
        "showcase": c.showcase,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "group_id": c.group.public_id if c.group_id else None,
        "page_id": page_id(),
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def components(all_components: list[Component], groups: list[ComponentGroup]) -> list[dict[str, Any]]:
    """A flat list: groups and ungrouped components, each group followed by its children.

    Positions restart inside each parent, as Statuspage numbers them.
    """
    children: dict[int | None, list[Component]] = defaultdict(list)
    for c in all_components:
        children[c.group_id].append(c)
    top: list[tuple[int, str, Any]] = [(g.position, g.name, g) for g in groups if children.get(g.pk)]
    top += [(c.position, c.name, c) for c in children[None]]
    out: list[dict[str, Any]] = []
    for position, (_, _, item) in enumerate(sorted(top, key=lambda t: (t[0], t[1])), start=1):
        if isinstance(item, ComponentGroup):
            kids = children[item.pk]
            out.append(_group(item, kids, position))
            out.extend(component(c, i) for i, c in enumerate(kids, start=1))
        else:
            out.append(component(item, position))
    return out


def _group(g: ComponentGroup, kids: list[Component], position: int) -> dict[str, Any]:
    return {
        "id": g.public_id,
        "name": g.name,
        "status": worst(c.status for c in kids),
        "created_at": iso_ms(g.created_at),
        "updated_at": iso_ms(max([g.updated_at, *(c.updated_at for c in kids)])),
        "position": position,
        "description": g.description or None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": page_id(),
        "group": True,
        "only_show_if_degraded": False,
        "components": [c.public_id for c in kids],
    }


def incident(i: Incident, component_docs: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One incident or maintenance; `component_docs` (id -> component object) keeps positions consistent."""
    docs = component_docs or {}
    data = {
        "id": i.public_id,
        "name": i.name,
        "status": i.status,
        "impact": i.impact,
        "created_at": iso_ms(i.created_at),
        "updated_at": iso_ms(i.updated_at),
        "monitoring_at": iso_ms(i.monitoring_at),
        "resolved_at": iso_ms(i.resolved_at),
        "started_at": iso_ms(i.started_at),
        "shortlink": f"{settings.SITE_URL}/incidents/{i.public_id}",
        "page_id": page_id(),
        "incident_updates": [
            {
                "id": u.public_id,
                "status": u.status,
                "body": u.body,
                "incident_id": i.public_id,
                "created_at": iso_ms(u.created_at),
                "updated_at": iso_ms(u.updated_at),
                "display_at": iso_ms(u.display_at),
                "affected_components": u.affected_components or None,
                "deliver_notifications": u.deliver_notifications,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in i.updates.all()
        ],
        "components": [docs.get(c.public_id) or component(c, c.position) for c in i.components.all()],
        "reminder_intervals": None,
    }
    if i.kind == Incident.Kind.MAINTENANCE:
        data["scheduled_for"] = iso_ms(i.scheduled_for)
        data["scheduled_until"] = iso_ms(i.scheduled_until)
    return data


def status(
    all_components: list[Component], active_maintenance: bool, delayed_since: datetime | None = None
) -> dict[str, str]:
    """The page's indicator and its description; while our own monitoring is late (components/watchdog.py)
    the description says so instead, and the indicator stays the last known (docs/architecture.md)."""
    current = worst(c.status for c in all_components)
    indicator = {
        ComponentStatus.MAJOR_OUTAGE: "critical" if _all_major(all_components) else "major",
        ComponentStatus.PARTIAL_OUTAGE: "major",
        ComponentStatus.DEGRADED_PERFORMANCE: "minor",
        ComponentStatus.UNDER_MAINTENANCE: "maintenance",
    }.get(current, "maintenance" if active_maintenance else "none")
    if delayed_since is not None:
        return {"indicator": indicator, "description": watchdog.description(delayed_since)}
    return {"indicator": indicator, "description": INDICATOR_TEXT[indicator]}


def _all_major(all_components: list[Component]) -> bool:
    return all(c.status == ComponentStatus.MAJOR_OUTAGE for c in all_components)


def summary() -> dict[str, Any]:
    """summary.json read straight from the database (the page serves it from the snapshot instead)."""
    return documents(load(timezone.now()))["/api/v2/summary.json"]


def documents(current: Current, delayed_since: datetime | None = None) -> dict[str, dict[str, Any]]:
    header = page(current.updated_at)
    listed = components(current.components, current.groups)
    # Incidents embed the same component objects as the list, positions included.
    by_id = {c["id"]: c for c in listed if not c["group"]}

    def incidents(rows) -> list[dict[str, Any]]:
        return [incident(i, by_id) for i in rows]

    maintenances = incidents(current.maintenances)
    overall = status(current.components, bool(current.active), delayed_since)
    return {
        "/api/v2/summary.json": {
            "page": header,
            "components": listed,
            "incidents": incidents(current.unresolved),
            "scheduled_maintenances": maintenances,
            "status": overall,
        },
        "/api/v2/status.json": {"page": header, "status": overall},
        "/api/v2/components.json": {"page": header, "components": listed},
        "/api/v2/incidents.json": {"page": header, "incidents": incidents(current.recent_incidents)},
        "/api/v2/incidents/unresolved.json": {"page": header, "incidents": incidents(current.unresolved)},
        "/api/v2/scheduled-maintenances.json": {
            "page": header,
            "scheduled_maintenances": incidents(current.recent_maintenances),
        },
        "/api/v2/scheduled-maintenances/upcoming.json": {
            "page": header,
            "scheduled_maintenances": incidents(current.upcoming),
        },
        "/api/v2/scheduled-maintenances/active.json": {
            "page": header,
            "scheduled_maintenances": incidents(current.active),
        },
    }
