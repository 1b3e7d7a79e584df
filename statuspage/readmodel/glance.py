"""Each component at a glance: its figure over the last minutes, a day of hourly p50s, its error mix.

Read for every visible component at once: one rollup read for the day, one raw read for the recent
minutes, whatever the number of components (bounded by monitors x 24 hours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from statuspage.components.models import Component
from statuspage.readmodel import performance_sources as sources
from statuspage.readmodel.component_performance import CHAT_KINDS, UPSTREAM_KIND
from statuspage.readmodel.performance import RANGES, Figures, binned_stats, step_starts, total

RECENT = timedelta(minutes=10)  # "now": long enough for several probes at the usual 60 s interval
DAY = RANGES["24h"]


@dataclass(frozen=True)
class Glance:
    chat: bool
    recent: Figures  # the last RECENT, every monitor and region merged
    # Hourly p50 of the figure that matters for the kind (time to first token for chat, else total
    # latency), oldest first, the current hour last.
    spark: list[float | None]


def glances(components: Sequence[Component], now: datetime) -> dict[int, Glance]:
    links = Component.monitors.through.objects.filter(component__in=components).exclude(
        monitor__kind=UPSTREAM_KIND
    )
    members: dict[int, set[int]] = defaultdict(set)
    chat: set[int] = set()
    for component_id, monitor_id, kind in links.values_list("component_id", "monitor_id", "monitor__kind"):
        members[component_id].add(monitor_id)
        if kind in CHAT_KINDS:
            chat.add(component_id)
    ids = sorted(set().union(*members.values())) if members else []
    starts = step_starts(DAY, now)
    day_cells = sources.read(ids, DAY.source, starts[0], starts[-1] + DAY.step, now)
    recent_cells = sources.raw(ids, now - RECENT, now + timedelta(seconds=1))
    out = {}
    for component in components:
        mine = members.get(component.pk, set())
        metric = "ttft" if component.pk in chat else "total"
        hours = binned_stats([c for c in day_cells if c.monitor_id in mine], starts, DAY.step)
        out[component.pk] = Glance(
            chat=component.pk in chat,
            recent=Figures.of(now - RECENT, total(c.stats for c in recent_cells if c.monitor_id in mine)),
            spark=[stats.percentile(metric, 0.5) for stats in hours],
        )
    return out
