"""The OpenAPI 3.1 description of our public JSON; its schemas are strict enough to validate responses."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from monitors import state
from statuspage.api.performance_schema import PERFORMANCE_PATH, PERFORMANCE_SCHEMAS, performance_operation
from statuspage.components.models import ComponentStatus
from statuspage.incidents.models import Impact, IncidentStatus
from statuspage.readmodel.v2 import PATHS

TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"}
MAYBE_TIME = {"anyOf": [TIME, {"type": "null"}]}
STRING_OR_NULL = {"type": ["string", "null"]}
COMPONENT_STATUS = {"type": "string", "enum": list(ComponentStatus.values)}
INCIDENT_STATUS = {"type": "string", "enum": list(IncidentStatus.values)}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every listed key present (Statuspage clients index them directly), no others."""
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Page": _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "time_zone": {"type": "string", "const": "Etc/UTC"},
            "updated_at": MAYBE_TIME,
        }
    ),
    "Status": _object(
        {
            "indicator": {"type": "string", "enum": ["none", "minor", "major", "critical", "maintenance"]},
            "description": {"type": "string"},
        }
    ),
    "Component": _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": COMPONENT_STATUS,
            "created_at": TIME,
            "updated_at": TIME,
            "position": {"type": "integer", "minimum": 1},
            "description": STRING_OR_NULL,
            "showcase": {"type": "boolean"},
            "start_date": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
            "group_id": STRING_OR_NULL,
            "page_id": {"type": "string"},
            "group": {"type": "boolean"},
            "only_show_if_degraded": {"type": "boolean"},
            "components": {"type": "array", "items": {"type": "string"}},
        },
        optional=("components",),  # groups only
    ),
    "AffectedComponent": _object(
        {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "old_status": COMPONENT_STATUS,
            "new_status": COMPONENT_STATUS,
        }
    ),
    "IncidentUpdate": _object(
        {
            "id": {"type": "string"},
            "status": INCIDENT_STATUS,
            "body": {"type": "string"},
            "incident_id": {"type": "string"},
            "created_at": TIME,
            "updated_at": TIME,
            "display_at": TIME,
            "affected_components": {
                "anyOf": [{"type": "array", "items": _ref("AffectedComponent")}, {"type": "null"}]
            },
            "deliver_notifications": {"type": "boolean"},
            "custom_tweet": STRING_OR_NULL,
            "tweet_id": STRING_OR_NULL,
        }
    ),
    "Incident": _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": INCIDENT_STATUS,
            "impact": {"type": "string", "enum": list(Impact.values)},
            "created_at": TIME,
            "updated_at": TIME,
            "monitoring_at": MAYBE_TIME,
            "resolved_at": MAYBE_TIME,
            "started_at": TIME,
            "shortlink": {"type": "string", "format": "uri"},
            "page_id": {"type": "string"},
            "incident_updates": {"type": "array", "items": _ref("IncidentUpdate")},
            "components": {"type": "array", "items": _ref("Component")},
            "reminder_intervals": {"type": "null"},
            "scheduled_for": MAYBE_TIME,
            "scheduled_until": MAYBE_TIME,
        },
        optional=("scheduled_for", "scheduled_until"),  # maintenances only
    ),
    "Candidate": _object(
        {
            "rank": {"type": "integer", "minimum": 1},
            "provider": {"type": "string"},
            "provider_slug": {"type": "string"},
            "model": STRING_OR_NULL,
            "family": {"type": "string"},
            "monitor": {"type": "string"},
            "capabilities": {"type": "array", "items": {"type": "string"}},
            "status": {"type": "string", "enum": [state.UP, state.DEGRADED, state.UNKNOWN, state.DOWN]},
            "healthy": {"type": "boolean"},
            "ttft_p50_ms": {"type": ["number", "null"]},
            "ttft_p95_ms": {"type": ["number", "null"]},
            "latency_p50_ms": {"type": ["number", "null"]},
            "tokens_per_s_p50": {"type": ["number", "null"]},
            "success_ratio": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "last_probe_at": MAYBE_TIME,
            "stale": {
                "type": "boolean",
                "description": "No result for several intervals: the status is unknown, whatever it last was",
            },
        }
    ),
    "Failover": _object(
        {
            "generated_at": TIME,
            "monitoring_delayed_since": MAYBE_TIME,
            "capability": STRING_OR_NULL,
            "family": STRING_OR_NULL,
            "recommended": {"anyOf": [_ref("Candidate"), {"type": "null"}]},
            "candidates": {"type": "array", "items": _ref("Candidate")},
        }
    ),
    **PERFORMANCE_SCHEMAS,
    "Error": _object({"error": _object({"status": {"type": "integer"}, "message": {"type": "string"}})}),
}

_LISTS = {"components": "Component", "incidents": "Incident", "scheduled_maintenances": "Incident"}
BODIES: dict[str, dict[str, Any]] = {
    "/api/v2/summary.json": {
        "page": _ref("Page"),
        "components": {"type": "array", "items": _ref("Component")},
        "incidents": {"type": "array", "items": _ref("Incident")},
        "scheduled_maintenances": {"type": "array", "items": _ref("Incident")},
        "status": _ref("Status"),
    },
    "/api/v2/status.json": {"page": _ref("Page"), "status": _ref("Status")},
    **{
        path: {"page": _ref("Page"), key: {"type": "array", "maxItems": 50, "items": _ref(_LISTS[key])}}
        for path, key in (
            ("/api/v2/components.json", "components"),
            ("/api/v2/incidents.json", "incidents"),
            ("/api/v2/incidents/unresolved.json", "incidents"),
            ("/api/v2/scheduled-maintenances.json", "scheduled_maintenances"),
            ("/api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances"),
            ("/api/v2/scheduled-maintenances/active.json", "scheduled_maintenances"),
        )
    },
}
SUMMARIES = {
    "/api/v2/summary.json": "Components, unresolved incidents, upcoming and active maintenance, status",
    "/api/v2/status.json": "The overall status indicator",
    "/api/v2/components.json": "All components, groups included (a flat list)",
    "/api/v2/incidents.json": "The 50 most recent incidents, any status",
    "/api/v2/incidents/unresolved.json": "Incidents investigating, identified or monitoring",
    "/api/v2/scheduled-maintenances.json": "The 50 most recent scheduled maintenances",
    "/api/v2/scheduled-maintenances/upcoming.json": "Maintenances scheduled and not started",
    "/api/v2/scheduled-maintenances/active.json": "Maintenances in progress or verifying",
}


def body_schema(path: str) -> dict[str, Any]:
    return _object(BODIES[path])


def _json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        path: {
            "get": {
                "summary": SUMMARIES[path],
                "responses": {
                    "200": _json_response(body_schema(path), "OK"),
                    "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                },
            }
        }
        for path in PATHS
    }
    paths["/api/failover.json"] = {
        "get": {
            "summary": "Models ranked by health, then success over the last hour, then time to first token",
            "parameters": [
                {"name": "capability", "in": "query", "schema": {"type": "string"}, "example": "chat"},
                {"name": "family", "in": "query", "schema": {"type": "string"}, "example": "claude"},
            ],
            "responses": {
                "200": _json_response(_ref("Failover"), "The ranking"),
                "400": _json_response(_ref("Error"), "An unknown capability or a malformed family"),
            },
        }
    }
    paths[PERFORMANCE_PATH] = performance_operation(_json_response)
    paths["/metrics"] = {
        "get": {
            "summary": "Prometheus metrics: component and monitor status, probe outcomes and latencies",
            "responses": {
                "200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.SITE_NAME} status API",
            "version": "2",
            "description": "Statuspage v2-compatible JSON at the origin root, plus a failover ranking. "
            "CORS is open; responses carry an ETag and answer 304 to If-None-Match.",
        },
        "servers": [{"url": settings.SITE_URL}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
