"""What users of an incident's components saw: outcomes by kind, TTFT before and during, regions hit,
and the first failing probe. Raw results for incidents short enough to read them whole, hourly
rollups (and the raw tail) for longer ones or once raw results have been dropped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitors.models import Monitor, ProbeResult
from monitors.outcomes import SUCCESS
from statuspage.incidents.models import Incident
from statuspage.readmodel import performance_sources as sources
from statuspage.readmodel.component_performance import UPSTREAM_KIND
from statuspage.readmodel.performance import Figures, total

RAW_WINDOW = timedelta(hours=6)  # longer incidents are read from hourly rollups
BEFORE = timedelta(hours=1)  # "before": the hour before the incident started
# Automation opens an incident once several probes agree: the failure that began it is minutes earlier.
LOOKBACK = timedelta(minutes=15)


@dataclass(frozen=True)
class FirstFailure:
    at: datetime
    region: str
    outcome: str
    http_status: int | None
    monitor: str


@dataclass(frozen=True)
class Impact:
    during: Figures
    before: Figures
    regions: dict[str, float]  # region -> share of its probes that failed during the incident
    first_failure: FirstFailure | None

    @property
    def empty(self) -> bool:
        return self.during.probes == 0


def load(incident: Incident, now: datetime) -> Impact | None:
    """None for maintenance and incidents whose components have no monitors of ours."""
    if incident.kind != Incident.Kind.INCIDENT:
        return None
    monitors = {
        m.pk: m.name for c in incident.components.all() for m in c.monitors.all() if m.kind != UPSTREAM_KIND
    }
    if not monitors:
        return None
    ids = sorted(monitors)
    start, end = incident.started_at, incident.resolved_at or now
    during = _cells(ids, start, end, now)
    before = _cells(ids, start - BEFORE, start, now)
    per_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cell in during:
        counts = per_region[cell.region]
        counts[0] += cell.stats.probes
        counts[1] += cell.stats.failures
    return Impact(
        during=Figures.of(start, total(c.stats for c in during)),
        before=Figures.of(start - BEFORE, total(c.stats for c in before)),
        regions={
            r: failed / probes for r, (probes, failed) in sorted(per_region.items()) if probes and failed
        },
        first_failure=_first_failure(ids, monitors, start - LOOKBACK, end),
    )


def _cells(ids: list[int], start: datetime, end: datetime, now: datetime) -> list[sources.Cell]:
    if end - start <= RAW_WINDOW and (found := sources.raw(ids, start, end)):
        return found
    hour = start.replace(minute=0, second=0, microsecond=0)
    return sources.read(ids, "hourly", hour, end, now)


def _first_failure(
    ids: list[int], names: dict[int, str], start: datetime, end: datetime
) -> FirstFailure | None:
    """The earliest failed probe from shortly before the incident to its end (what tripped it)."""
    row = (
        ProbeResult.objects.filter(monitor_id__in=ids, started_at__gte=start, started_at__lt=end)
        .exclude(outcome__in=[str(o) for o in SUCCESS])
        .order_by("started_at")
        .values_list("started_at", "region", "outcome", "http_status", "monitor_id")
        .first()
    )
    if row is None:
        return None
    at, region, outcome, http_status, monitor_id = row
    return FirstFailure(at, region, outcome, http_status, names[monitor_id])


def monitor_statuses(details: object) -> dict[int, str]:
    """Each monitor an incident's detection record names, with its status now (the record keeps the
    one it had then)."""
    listed = details.get("monitors") if isinstance(details, dict) else None
    ids = [m["id"] for m in listed or [] if isinstance(m, dict) and isinstance(m.get("id"), int)]
    return dict(Monitor.objects.filter(pk__in=ids).values_list("pk", "status")) if ids else {}
