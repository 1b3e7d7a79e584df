"""One component's performance over a range, with its incidents and maintenance as intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from monitors.models import Monitor
from statuspage.components.models import Component
from statuspage.incidents.models import Incident
from statuspage.readmodel.performance import Performance, Range, series

UPSTREAM_KIND = "upstream"  # a provider's own status page, read by a probe: their claim, not ours


@dataclass(frozen=True)
class Interval:
    public_id: str
    name: str
    kind: str  # "incident" or "maintenance"
    impact: str
    start: datetime
    end: datetime | None  # None: still open


@dataclass(frozen=True)
class ComponentPerformance:
    component: Component
    chat: bool  # whether its monitors stream tokens (time to first token, tokens/s mean something)
    performance: Performance
    intervals: list[Interval]
    providers: list[str]  # whose own status page the claims come from


CHAT_KINDS = frozenset({"openai", "anthropic", "gemini"})


def load(public_id: str, chosen: Range, now: datetime) -> ComponentPerformance | None:
    component = Component.objects.filter(public_id=public_id).first()
    if component is None:
        return None
    monitors = [m for m in component.monitors.select_related("provider") if m.kind != UPSTREAM_KIND]
    provider_ids = {m.provider_id for m in monitors}
    upstream = list(
        Monitor.objects.filter(kind=UPSTREAM_KIND, enabled=True, provider_id__in=provider_ids)
        .select_related("provider")
        .order_by("provider__name")
    )
    performance = series([m.pk for m in monitors], chosen, now, claim_ids=[m.pk for m in upstream])
    return ComponentPerformance(
        component=component,
        chat=any(m.kind in CHAT_KINDS for m in monitors),
        performance=performance,
        intervals=intervals(component, performance.start, now),
        providers=sorted({m.provider.name for m in upstream}),
    )


def intervals(component: Component, since: datetime, now: datetime) -> list[Interval]:
    """Published incidents and maintenances of this component overlapping [since, now], oldest first."""
    rows = (
        Incident.objects.filter(published=True, components=component, started_at__lt=now)
        .filter(Q(resolved_at=None) | Q(resolved_at__gt=since))
        .only("public_id", "name", "kind", "impact", "started_at", "resolved_at")
        .order_by("started_at")
    )
    return [
        Interval(i.public_id, i.name, i.kind, i.impact, i.started_at, i.resolved_at)
        for i in rows
        if i.started_at is not None
    ]
