"""The v2 JSON documents, keyed by their path, all from one read of the current state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from statuspage.api import v2
from statuspage.api.current import Current

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


def documents(current: Current, delayed_since: datetime | None = None) -> dict[str, dict[str, Any]]:
    page = v2.page(current.updated_at)
    components = v2.components(current.components, current.groups)
    # Incidents embed the same component objects as the list, positions included.
    by_id = {c["id"]: c for c in components if not c["group"]}

    def incidents(rows) -> list[dict[str, Any]]:
        return [v2.incident(i, by_id) for i in rows]

    maintenances = incidents(current.maintenances)
    status = v2.status(current.components, bool(current.active), delayed_since)
    return {
        "/api/v2/summary.json": {
            "page": page,
            "components": components,
            "incidents": incidents(current.unresolved),
            "scheduled_maintenances": maintenances,
            "status": status,
        },
        "/api/v2/status.json": {"page": page, "status": status},
        "/api/v2/components.json": {"page": page, "components": components},
        "/api/v2/incidents.json": {"page": page, "incidents": incidents(current.recent_incidents)},
        "/api/v2/incidents/unresolved.json": {"page": page, "incidents": incidents(current.unresolved)},
        "/api/v2/scheduled-maintenances.json": {
            "page": page,
            "scheduled_maintenances": incidents(current.recent_maintenances),
        },
        "/api/v2/scheduled-maintenances/upcoming.json": {
            "page": page,
            "scheduled_maintenances": incidents(current.upcoming),
        },
        "/api/v2/scheduled-maintenances/active.json": {
            "page": page,
            "scheduled_maintenances": incidents(current.active),
        },
    }
