"""OpenAPI schemas of /api/components/<id>/performance.json, strict enough to validate responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statuspage.readmodel.performance import DEFAULT_RANGE, RANGES

PERFORMANCE_PATH = "/api/components/{id}/performance.json"
_TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"}
_MAYBE_TIME = {"anyOf": [_TIME, {"type": "null"}]}
_MS = {"type": ["number", "null"], "minimum": 0}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


PERFORMANCE_SCHEMAS: dict[str, Any] = {
    "PerformanceFigures": _object(
        {
            "start": _TIME,
            "probes": {"type": "integer", "minimum": 0},
            "outcomes": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
                "description": "Probes by outcome (ok, slow, rate_limited, overloaded, timeout_ttft, ...)",
            },
            "success_rate": {
                "type": ["number", "null"],
                "minimum": 0,
                "maximum": 1,
                "description": "Successes over probes that judge the provider (our own errors left out)",
            },
            "ttft_p50_ms": _MS,
            "ttft_p95_ms": _MS,
            "latency_p50_ms": _MS,
            "latency_p95_ms": _MS,
            "tokens_per_s_p50": _MS,
        }
    ),
    "Performance": _object(
        {
            "generated_at": _TIME,
            "component": _object({"id": {"type": "string"}, "name": {"type": "string"}}),
            "range": {"type": "string", "enum": list(RANGES)},
            "step_seconds": {"type": "integer", "minimum": 1},
            "start": _TIME,
            "end": _TIME,
            "summary": _ref("PerformanceFigures"),
            "series": {"type": "array", "items": _ref("PerformanceFigures")},
            "regions": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": _ref("PerformanceFigures")},
                "description": "One series per region, when more than one region probed in the range",
            },
            "provider_claims": _object(
                {
                    "providers": {"type": "array", "items": {"type": "string"}},
                    "series": {
                        "type": "array",
                        "items": _object(
                            {
                                "start": _TIME,
                                "ms_by_status": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                },
                            }
                        ),
                    },
                }
            ),
            "incidents": {
                "type": "array",
                "items": _object(
                    {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["incident", "maintenance"]},
                        "impact": {"type": "string"},
                        "started_at": _TIME,
                        "resolved_at": _MAYBE_TIME,
                    }
                ),
            },
        }
    ),
}


def performance_operation(json_response: Callable[[dict[str, Any], str], dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": "A component's TTFT, latency, tokens/s, success rate and outcome mix over time",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "range",
                    "in": "query",
                    "schema": {"type": "string", "enum": list(RANGES), "default": DEFAULT_RANGE},
                },
            ],
            "responses": {
                "200": json_response(_ref("Performance"), "The series, oldest step first"),
                "400": json_response(_ref("Error"), "An unknown range"),
                "404": json_response(_ref("Error"), "No such component"),
            },
        }
    }
