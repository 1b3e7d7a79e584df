"""Component status from its monitors: a pure function, so it is tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitors.models import MonitorStatus
from statuspage.components.models import ComponentStatus

# Monitor statuses that say something about the provider; unknown (stale, misconfigured) and paused
# monitors are left out rather than counted as healthy.
_EVIDENCE = {MonitorStatus.UP, MonitorStatus.DEGRADED, MonitorStatus.DOWN}


def derive(
    monitor_statuses: Iterable[str],
    *,
    current: str,
    override_status: str = "",
    override_until: datetime | None = None,
    in_maintenance: bool = False,
    now: datetime,
) -> str:
    """The status a component should show.

    operator override (until it expires) > maintenance > all monitors down: major_outage
    > some down: partial_outage > any degraded: degraded_performance > operational.
    With no monitor giving evidence, the current status stands: we say nothing we do not know.
    """
    if override_status and (override_until is None or override_until > now):
        return override_status
    if in_maintenance:
        return ComponentStatus.UNDER_MAINTENANCE
    statuses = [s for s in monitor_statuses if s in _EVIDENCE]
    if not statuses:
        return ComponentStatus.OPERATIONAL if current == ComponentStatus.UNDER_MAINTENANCE else current
    down = statuses.count(MonitorStatus.DOWN)
    if down == len(statuses):
        return ComponentStatus.MAJOR_OUTAGE
    if down:
        return ComponentStatus.PARTIAL_OUTAGE
    if MonitorStatus.DEGRADED in statuses:
        return ComponentStatus.DEGRADED_PERFORMANCE
    return ComponentStatus.OPERATIONAL
