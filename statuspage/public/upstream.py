"""What each provider's own status page claims, beside what we measured (latest upstream probe)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitors.models import Monitor, ProbeResult
from monitors.state import is_stale

UPSTREAM_KIND = "upstream"


@dataclass(frozen=True)
class Claim:
    provider: str
    indicator: str  # the provider's own v2 indicator: none, minor, major, critical, maintenance
    description: str
    components: dict[str, str]  # their component name -> their status
    read_at: datetime
    mapped: dict[str, str] = field(default_factory=dict)  # our component name -> their status (catalog map)

    def about(self, component: str) -> str:
        """Their status for our component: mapped by the monitor's component_map, or the same name."""
        return self.mapped.get(component) or self.components.get(component, "")


def claims(provider_ids: set[int], now: datetime) -> dict[int, Claim]:
    """Per provider, its page's latest readable claim; none when stale or never read.

    One indexed lookup of the newest result per upstream monitor, bounded to its last few intervals
    so that only the newest daily partition is searched: the cost depends on providers, not results.
    """
    found: dict[int, Claim] = {}
    upstreams = Monitor.objects.filter(
        kind=UPSTREAM_KIND, enabled=True, provider_id__in=provider_ids
    ).select_related("provider")
    for monitor in upstreams:
        if monitor.provider_id in found or is_stale(monitor.last_probe_at, monitor.interval, now):
            continue
        since = monitor.last_probe_at - monitor.interval * 3
        latest = (
            ProbeResult.objects.filter(monitor=monitor, outcome="ok", started_at__gte=since)
            .order_by("-started_at")
            .values("details", "started_at")
            .first()
        )
        if latest and isinstance(latest["details"], dict) and latest["details"].get("indicator"):
            details = latest["details"]
            found[monitor.provider_id] = Claim(
                provider=monitor.provider.name,
                indicator=str(details["indicator"]),
                description=str(details.get("description") or ""),
                components=dict(details.get("components") or {}),
                read_at=latest["started_at"],
                mapped=dict(details.get("mapped") or {}),
            )
    return found
