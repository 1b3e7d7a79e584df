"""Component uptime per day from the component status log, by the one definition (docs/uptime.md).

Time in each status is integrated over the status intervals the log records; major outage counts
fully, partial outage 0.3, degraded performance and maintenance count as up. Reads are bounded by
the number of status changes shown, never by the number of probe results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from monitors.history import uptime as definition
from statuspage.components.models import Component, ComponentStatusChange


@dataclass(frozen=True)
class DayUptime:
    day: date
    ms_by_status: dict[str, float]  # only the time the component existed, up to now

    @property
    def uptime(self) -> float | None:
        """Fraction of the day counted as up; None for a day before the component existed."""
        return definition.uptime(self.ms_by_status, definition.COMPONENT_WEIGHTS)

    @property
    def downtime_ms(self) -> float:
        """Weighted downtime (a partial-outage minute counts 0.3): what a bar's colour shows."""
        return definition.downtime_ms(self.ms_by_status, definition.COMPONENT_WEIGHTS)

    def ms(self, status: str) -> float:
        return self.ms_by_status.get(status, 0.0)


def daily(components: Iterable[Component], days: int, now: datetime) -> dict[int, list[DayUptime]]:
    """Each component's last `days` UTC days (today included, up to now), oldest first."""
    components = list(components)
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    before, within = _log([c.pk for c in components], since, now)
    return {
        c.pk: [
            DayUptime(first + timedelta(days=n), ms)
            for n, ms in enumerate(
                definition.daily_ms(
                    _initial(c, before.get(c.pk), within[c.pk]),
                    [(moment, new) for moment, _, new in within[c.pk]],
                    first,
                    days,
                    now,
                    _existed_from(c),
                )
            )
        ]
        for c in components
    }


def overall(points: Iterable[DayUptime]) -> float | None:
    """Uptime over several days (the 90-day figure), weighting each day by the time it covers."""
    total: dict[str, float] = defaultdict(float)
    for point in points:
        for status, ms in point.ms_by_status.items():
            total[status] += ms
    return definition.uptime(total, definition.COMPONENT_WEIGHTS)


def _log(ids: list[int], since: datetime, now: datetime):
    """The status each component had at `since` (from the last change before it) and the changes
    from `since` to `now`, oldest first."""
    log = ComponentStatusChange.objects.filter(component_id__in=ids, created_at__lte=now)
    before = dict(
        log.filter(created_at__lt=since)
        .order_by("component_id", "-created_at")
        .distinct("component_id")
        .values_list("component_id", "new_status")
    )
    within: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for component_id, moment, old, new in (
        log.filter(created_at__gte=since)
        .order_by("created_at")
        .values_list("component_id", "created_at", "old_status", "new_status")
    ):
        within[component_id].append((moment, old, new))
    return before, within


def _initial(component: Component, before: str | None, within: list[tuple[datetime, str, str]]) -> str:
    """Set by the last change before the window, else what its first change moved away from, else
    (no change at all) the status the component has now."""
    if before:
        return before
    return within[0][1] if within else component.status


def _existed_from(component: Component) -> datetime | None:
    if component.start_date:
        return datetime.combine(component.start_date, time.min, tzinfo=UTC)
    return component.created_at
