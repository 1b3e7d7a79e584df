"""The provider's own status page (Statuspage v2 JSON), claiming whatever it is told to claim."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitors.fakeprovider.dialect import dumps

# component status -> (page indicator, description), as seen on real Statuspage pages
_ROLLUP = {
    "operational": ("none", "All Systems Operational"),
    "degraded_performance": ("minor", "Minor Service Outage"),
    "partial_outage": ("major", "Partial System Outage"),
    "major_outage": ("critical", "Major Service Outage"),
    "under_maintenance": ("maintenance", "Service Under Maintenance"),
}
_CREATED = "2023-07-11T17:53:10.880Z"


@dataclass(frozen=True, slots=True)
class Claim:
    """What the page says about the provider's API component, and since when."""

    name: str
    url: str
    status: str
    since: datetime


def summary(claim: Claim) -> bytes:
    api = _components(claim)
    incidents, maintenances = [], []
    if claim.status == "under_maintenance":
        maintenances.append(_incident(claim, api[0], "Scheduled maintenance", "in_progress", "maintenance"))
    elif claim.status != "operational":
        impact = _ROLLUP[claim.status][0]
        incidents.append(_incident(claim, api[0], "Elevated error rates on the API", "investigating", impact))
    return dumps(
        {
            "page": _page(claim),
            "components": api,
            "incidents": incidents,
            "scheduled_maintenances": maintenances,
            "status": _status(claim),
        }
    )


def status(claim: Claim) -> bytes:
    return dumps({"page": _page(claim), "status": _status(claim)})


def components(claim: Claim) -> bytes:
    return dumps({"page": _page(claim), "components": _components(claim)})


PAGES = {"summary": summary, "status": status, "components": components}


def _id(*parts: str) -> str:
    """Stable 12-character Statuspage-style ids."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "".join(
        "abcdefghijklmnopqrstuvwxyz0123456789"[int(digest[i : i + 2], 16) % 36] for i in range(0, 24, 2)
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _page(claim: Claim) -> dict[str, Any]:
    return {
        "id": _id(claim.name),
        "name": claim.name,
        "url": claim.url,
        "time_zone": "Etc/UTC",
        "updated_at": _iso(claim.since),
    }


def _status(claim: Claim) -> dict[str, str]:
    indicator, description = _ROLLUP[claim.status]
    return {"indicator": indicator, "description": description}


def _components(claim: Claim) -> list[dict[str, Any]]:
    page_id = _id(claim.name)
    return [
        {
            "id": _id(claim.name, name),
            "name": name,
            "status": component_status,
            "created_at": _CREATED,
            "updated_at": _iso(claim.since),
            "position": position,
            "description": None,
            "showcase": True,
            "start_date": None,
            "group_id": None,
            "page_id": page_id,
            "group": False,
            "only_show_if_degraded": False,
        }
        for position, (name, component_status) in enumerate(
            (("API", claim.status), ("Console", "operational")), 1
        )
    ]


def _incident(claim: Claim, component: dict[str, Any], name: str, state: str, impact: str) -> dict[str, Any]:
    incident_id = _id(claim.name, "incident", _iso(claim.since))
    at = _iso(claim.since)
    update = {
        "id": _id(incident_id, "update"),
        "incident_id": incident_id,
        "status": state,
        "body": "We are investigating this issue.",
        "created_at": at,
        "updated_at": at,
        "display_at": at,
        "affected_components": [
            {
                "code": component["id"],
                "name": component["name"],
                "old_status": "operational",
                "new_status": claim.status,
            }
        ],
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }
    window = {}
    if impact == "maintenance":
        window = {"scheduled_for": at, "scheduled_until": _iso(claim.since + timedelta(hours=2))}
    return {
        **window,
        "id": incident_id,
        "name": name,
        "status": state,
        "impact": impact,
        "created_at": at,
        "updated_at": at,
        "monitoring_at": None,
        "resolved_at": None,
        "started_at": at,
        "shortlink": f"{claim.url}/incidents/{incident_id}",
        "page_id": component["page_id"],
        "incident_updates": [update],
        "components": [component],
        "reminder_intervals": None,
    }
