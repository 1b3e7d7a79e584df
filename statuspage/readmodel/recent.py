"""Each monitor's recent figures for ranking: this hour and the one before, up to the last probe.

Hourly rollups plus the raw results the feed has not added yet, so a monitor that just recovered
carries its failures, and one that just failed its latest probes, into the ranking at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from monitors.history.reads import Stats
from statuspage.readmodel import performance_sources as sources
from statuspage.readmodel.performance import Figures, total

HOURS = 2  # the current hour and the one before: always at least an hour of results


def recent(monitor_ids: Iterable[int], now: datetime) -> dict[int, Figures]:
    """Per monitor with any probe in the window, its figures merged over regions."""
    ids = sorted(set(monitor_ids))
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    per: dict[int, list[Stats]] = defaultdict(list)
    for cell in sources.read(ids, "hourly", start, now + timedelta(seconds=1), now):
        per[cell.monitor_id].append(cell.stats)
    found = {m: Figures.of(start, total(stats)) for m, stats in per.items()}
    return {m: f for m, f in found.items() if f.probes}
