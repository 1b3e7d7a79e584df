"""/api/failover.json: for a capability or model family, the providers and models ranked by current
health, then by success over the last hour or so, then by time to first token (or latency), so a client
can switch to an alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitors.models import Monitor, MonitorStatus
from monitors.state import is_stale
from statuspage.lib.timefmt import iso_ms
from statuspage.readmodel.freshness import delayed_since
from statuspage.readmodel.performance import Figures
from statuspage.readmodel.recent import recent
from statuspage.serving.snapshot import Render

CHAT_KINDS = frozenset({"openai", "anthropic", "gemini"})
NOT_CANDIDATES = frozenset({"upstream", "http"})  # they say nothing about a model being usable
HEALTH_ORDER = {
    MonitorStatus.UP: 0,
    MonitorStatus.DEGRADED: 1,
    MonitorStatus.UNKNOWN: 2,
    MonitorStatus.DOWN: 3,
}
FAMILY = re.compile(r"[a-z0-9][a-z0-9._-]{0,49}")
# A 400 quotes at most this much of the caller's value, and names at most this many known capabilities.
ECHO_LIMIT = 60
KNOWN_LISTED = 20


class BadQuery(ValueError):
    """A query parameter the endpoint cannot answer; the message says what it accepts."""


@dataclass(frozen=True)
class Query:
    capability: str | None
    family: str | None


def capabilities(monitor: Monitor) -> set[str]:
    declared = monitor.options.get("capabilities") if isinstance(monitor.options, dict) else None
    if isinstance(declared, list):
        return {str(c).lower() for c in declared}
    found = set()
    if monitor.kind in CHAT_KINDS:
        found.add("chat")
        if monitor.stream:
            found.add("streaming")
    if monitor.kind == "models":
        found.add("models")
    return found


def family(monitor: Monitor) -> str:
    declared = monitor.options.get("family") if isinstance(monitor.options, dict) else None
    if isinstance(declared, str) and declared:
        return declared.lower()
    return (monitor.model.split("-")[0] or monitor.provider.slug).lower()


def parse(params) -> Query:
    """Read ?capability= and ?family= (anything else is ignored, as the v2 endpoints do).

    Syntax only, without a query: while the database is down a filtered request must still reach the
    last good answer for its filter. Whether a capability is known is checked by `recommend`.
    """
    capability = (params.get("capability") or "").strip().lower() or None
    wanted = (params.get("family") or "").strip().lower() or None
    if wanted is not None and not FAMILY.fullmatch(wanted):
        raise BadQuery("family must be 1-50 characters of a-z, 0-9, '.', '_' or '-'")
    return Query(capability, wanted)


def check_capability(capability: str | None) -> None:
    """Refuse a capability no monitor declares (reads the database)."""
    if capability is None:
        return
    known = known_capabilities()
    if capability not in known:
        raise BadQuery(f"unknown capability {_cut(capability)!r}; known: {_some(sorted(known))}")


def _cut(value: str) -> str:
    """A value cut short for an error message, so the message never grows with the query."""
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


def _some(names: list[str]) -> str:
    """Capabilities are declared freely in monitor options: name a few, each cut short, count the rest."""
    listed = ", ".join(_cut(name) for name in names[:KNOWN_LISTED])
    return listed if len(names) <= KNOWN_LISTED else f"{listed} and {len(names) - KNOWN_LISTED} more"


def known_capabilities() -> set[str]:
    found = {"chat", "streaming", "models"}
    for options in Monitor.objects.exclude(options={}).values_list("options", flat=True):
        if isinstance(options, dict) and isinstance(options.get("capabilities"), list):
            found.update(str(c).lower() for c in options["capabilities"])
    return found


def recommend(
    now: datetime, query: Query = Query(None, None), *, delayed_since: datetime | None = None
) -> dict[str, Any]:
    """The ranking for `query`; raises BadQuery for an unknown capability. While our own monitoring is
    late (`delayed_since`, components/watchdog.py) no monitor is evidence of health: none is recommended."""
    check_capability(query.capability)
    enabled = Monitor.objects.filter(enabled=True).exclude(kind__in=NOT_CANDIDATES)
    monitors = [
        m
        for m in enabled.select_related("provider")
        if (query.capability is None or query.capability in capabilities(m))
        and (query.family is None or family(m) == query.family)
        and not (m.kind == "models" and not m.model)  # a model listing names no model to switch to
    ]
    figures = recent([m.pk for m in monitors], now)
    rows = []
    for monitor in monitors:
        if monitor.status == MonitorStatus.PAUSED:
            continue
        # No recent result: what the monitor last said is not evidence now (the page notes it too).
        stale = delayed_since is not None or is_stale(
            monitor.last_probe_at, monitor.interval, now, monitor.thresholds()
        )
        rows.append(
            (monitor, MonitorStatus.UNKNOWN if stale else monitor.status, stale, figures.get(monitor.pk))
        )
    rows.sort(
        key=lambda r: (HEALTH_ORDER.get(r[1], 9), _failing(r[3]), _speed(r[3]), r[0].provider.name, r[0].name)
    )
    candidates = [_candidate(rank, *row) for rank, row in enumerate(rows, start=1)]
    return {
        "generated_at": iso_ms(now),
        "monitoring_delayed_since": iso_ms(delayed_since),
        "capability": query.capability,
        "family": query.family,
        "recommended": next((c for c in candidates if c["healthy"]), None),
        "candidates": candidates,
    }


def _failing(figures: Figures | None) -> float:
    """Failed share in whole percent (a point of success outranks any speed); unknown ranks last."""
    if figures is None or figures.success_rate is None:
        return 101.0
    return round((1 - figures.success_rate) * 100)


def _speed(figures: Figures | None) -> float:
    if figures is None:
        return float("inf")
    best = figures.ttft_p50 if figures.ttft_p50 is not None else figures.latency_p50
    return float("inf") if best is None else best


def _candidate(
    rank: int, monitor: Monitor, status: str, stale: bool, figures: Figures | None
) -> dict[str, Any]:
    return {
        "rank": rank,
        "provider": monitor.provider.name,
        "provider_slug": monitor.provider.slug,
        "model": monitor.model or None,
        "family": family(monitor),
        "monitor": monitor.name,
        "capabilities": sorted(capabilities(monitor)),
        "status": status,
        "healthy": status == MonitorStatus.UP,
        "ttft_p50_ms": _round(figures.ttft_p50 if figures else None),
        "ttft_p95_ms": _round(figures.ttft_p95 if figures else None),
        "latency_p50_ms": _round(figures.latency_p50 if figures else None),
        "tokens_per_s_p50": _round(figures.tps_p50 if figures else None),
        "success_ratio": figures.success_rate if figures else None,
        "last_probe_at": iso_ms(monitor.last_probe_at),
        "stale": stale,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def ranking(render: Render) -> dict[str, Any]:
    """The unfiltered ranking, made once per rendering: the API serves it, the models page shows it."""
    return render.once("failover", lambda: recommend(render.now, delayed_since=delayed_since(render)))
