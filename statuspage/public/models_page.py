"""The "models now" page: every chat model ranked for where to send traffic, as the failover API ranks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime

from statuspage.public.perfcharts import ms, percent
from statuspage.serving import artifacts as a
from statuspage.serving.artifacts import Artifact
from statuspage.serving.context import base_context

HEALTH = {  # failover status -> (component status for the icon, words)
    "up": ("operational", "Healthy"),
    "degraded": ("degraded_performance", "Degraded"),
    "unknown": ("partial_outage", "Unknown (no recent probe)"),
    "down": ("major_outage", "Down"),
}


def render(ranking: dict[str, Any], now: datetime) -> Artifact:
    """`ranking`: the failover document for every capability; chat models keep their order in it."""
    rows = [
        _row(n, c) for n, c in enumerate((c for c in ranking["candidates"] if "chat" in c["capabilities"]), 1)
    ]
    context = {**base_context(), "rows": rows, "built_at": now}
    return a.make(render_to_string("public/models.html", context), a.HTML, a.PAGE_CACHE)


def _row(rank: int, c: dict[str, Any]) -> dict[str, Any]:
    icon, words = HEALTH.get(c["status"], HEALTH["unknown"])
    success = c["success_ratio"]
    return {
        "rank": rank,
        "model": c["model"] or c["monitor"],
        "provider": c["provider"],
        "icon": icon,
        "health": words,
        "success": "n/a" if success is None else percent(success * 100),
        "ttft": _pair(c["ttft_p50_ms"], c["ttft_p95_ms"]),
        "tps": "n/a" if c["tokens_per_s_p50"] is None else f"{c['tokens_per_s_p50']:.0f}",
        "last_probe_at": parse_datetime(c["last_probe_at"]) if c["last_probe_at"] else None,
    }


def _pair(p50: float | None, p95: float | None) -> str:
    if p50 is None:
        return "n/a"
    return f"{ms(p50)} / {ms(p95)}" if p95 is not None else ms(p50)
