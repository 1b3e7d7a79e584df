"""/api/components/<id>/performance.json: the series behind a component page's charts, as JSON."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from statuspage.lib.timefmt import iso_ms
from statuspage.readmodel import component_performance
from statuspage.readmodel.performance import DEFAULT_RANGE, RANGES, Figures

PUBLIC_ID = re.compile(r"[a-z0-9]{12}")


class BadRange(ValueError):
    """?range= names no range; the message lists the ones there are."""


def parse_range(raw: str | None) -> str:
    name = (raw or DEFAULT_RANGE).strip()
    if name not in RANGES:
        raise BadRange(f"range must be one of {', '.join(RANGES)}")
    return name


def document(public_id: str, range_name: str, now: datetime) -> dict[str, Any] | None:
    found = component_performance.load(public_id, RANGES[range_name], now)
    if found is None:
        return None
    perf = found.performance
    return {
        "generated_at": iso_ms(now),
        "component": {"id": found.component.public_id, "name": found.component.display_name},
        "range": perf.range.name,
        "step_seconds": int(perf.range.step.total_seconds()),
        "start": iso_ms(perf.start),
        "end": iso_ms(perf.end),
        "summary": figures(perf.summary),
        "series": [figures(b) for b in perf.buckets],
        "regions": {name: [figures(b) for b in buckets] for name, buckets in perf.regions.items()},
        "provider_claims": {
            "providers": found.providers,
            "series": [{"start": iso_ms(c.start), "ms_by_status": dict(c.ms_by_status)} for c in perf.claims],
        },
        "incidents": [
            {
                "id": i.public_id,
                "name": i.name,
                "kind": i.kind,
                "impact": i.impact,
                "started_at": iso_ms(i.start),
                "resolved_at": iso_ms(i.end),
            }
            for i in found.intervals
        ],
    }


def figures(f: Figures) -> dict[str, Any]:
    return {
        "start": iso_ms(f.start),
        "probes": f.probes,
        "outcomes": dict(sorted(f.outcomes.items())),
        "success_rate": f.success_rate,
        "ttft_p50_ms": _round(f.ttft_p50),
        "ttft_p95_ms": _round(f.ttft_p95),
        "latency_p50_ms": _round(f.latency_p50),
        "latency_p95_ms": _round(f.latency_p95),
        "tokens_per_s_p50": _round(f.tps_p50),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
