"""/metrics in the Prometheus text format: component and monitor status, probe outcomes and latencies."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from monitors import cost
from monitors.models import Monitor, MonitorStatus
from statuspage.components import watchdog
from statuspage.components.models import Component, ComponentStatus
from statuspage.readmodel import history


def render() -> str:
    lines: list[str] = []
    components = list(Component.objects.select_related("group"))
    _family(lines, "statuspage_component_status", "gauge", "1 for the component's current status.")
    for c in components:
        group = c.group.name if c.group_id else ""
        for status in ComponentStatus.values:
            labels = {"component": c.name, "component_id": c.public_id, "group": group, "status": status}
            lines.append(_sample("statuspage_component_status", labels, int(c.status == status)))
    monitors = list(Monitor.objects.select_related("provider"))
    by_id = {m.pk: m for m in monitors}
    _family(lines, "statuspage_monitor_status", "gauge", "1 for the monitor's confirmed status.")
    for m in monitors:
        for status in MonitorStatus.values:
            lines.append(
                _sample("statuspage_monitor_status", {**_who(m), "status": status}, int(m.status == status))
            )
    _family(lines, "statuspage_monitor_last_probe_timestamp_seconds", "gauge", "When the last probe started.")
    for m in monitors:
        if m.last_probe_at:
            lines.append(
                _sample(
                    "statuspage_monitor_last_probe_timestamp_seconds", _who(m), m.last_probe_at.timestamp()
                )
            )
    _family(
        lines, "statuspage_probe_cost_usd_monthly", "gauge",
        "Estimated US dollars a month the monitor's probes cost at the catalog's token price.",
    )  # fmt: skip
    for priced in cost.costs(monitors, timezone.now()):
        lines.append(_sample("statuspage_probe_cost_usd_monthly", _who(priced.monitor), round(priced.usd, 6)))
    counts = history.outcome_totals(list(by_id))
    _family(lines, "statuspage_probe_results_total", "counter", "Probe results by outcome.")
    for m in monitors:
        for outcome, count in sorted(counts.get(m.pk, {}).items()):
            lines.append(_sample("statuspage_probe_results_total", {**_who(m), "outcome": outcome}, count))
    for name, help_text, buckets in (
        ("statuspage_probe_latency_seconds", "Total time of successful probes.", history.latency_buckets),
        ("statuspage_probe_ttft_seconds", "Time to first token of successful probes.", history.ttft_buckets),
    ):
        _family(lines, name, "histogram", help_text)
        for monitor_id, (cumulative, total, count) in buckets(list(by_id)).items():
            lines.extend(_histogram(name, _who(by_id[monitor_id]), cumulative, total, count))
    _pipeline(lines, watchdog.read(timezone.now()))
    return "\n".join(lines) + "\n"


def _pipeline(lines: list[str], freshness: watchdog.Freshness) -> None:
    """Our own monitoring's lag (components/watchdog.py): scrape it to alert on us, not the providers."""
    lag, limit = "statuspage_pipeline_lag_seconds", "statuspage_pipeline_lag_limit_seconds"
    _family(lines, lag, "gauge", "Age of the newest evidence of each kind.")
    for e in freshness.evidence:
        lines.append(_sample(lag, _what(e), e.lag(freshness.now).total_seconds()))
    _family(lines, limit, "gauge", "Lag beyond which monitoring is delayed.")
    for e in freshness.evidence:
        lines.append(_sample(limit, _what(e), e.limit.total_seconds()))
    _family(lines, "statuspage_pipeline_delayed", "gauge", "1 while the page says monitoring is delayed.")
    lines.append(f"statuspage_pipeline_delayed {int(freshness.delayed_since is not None)}")
    _family(lines, "statuspage_queue_depth", "gauge", "Tasks waiting in each Celery queue.")
    for queue, depth in sorted(freshness.queue_depths.items()):
        lines.append(_sample("statuspage_queue_depth", {"queue": queue}, depth))


def _what(evidence: watchdog.Evidence) -> dict[str, str]:
    return {"evidence": evidence.kind, "region": evidence.region}


def _who(monitor: Monitor) -> dict[str, str]:
    return {"monitor": monitor.name, "monitor_id": str(monitor.pk), "provider": monitor.provider.name}


def _family(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")


def _histogram(
    name: str, labels: dict[str, str], cumulative: Iterable[tuple[float, int]], total: float, count: int
) -> list[str]:
    out = [_sample(f"{name}_bucket", {**labels, "le": _number(le)}, n) for le, n in cumulative]
    out.append(_sample(f"{name}_bucket", {**labels, "le": "+Inf"}, count))
    out.append(_sample(f"{name}_sum", labels, total))
    out.append(_sample(f"{name}_count", labels, count))
    return out


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {_number(value)}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
