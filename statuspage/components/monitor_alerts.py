"""Operator alerts about the monitors themselves, raised as their state changes are propagated:
problems only an operator can fix, which readers are never shown as provider trouble."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from monitors.models import Monitor
from monitors.state import is_stale
from statuspage.lib.chain import Link
from statuspage.lib.operator_events import EventKind, OperatorEvent

# Operator events go to subscriptions.alerts, which decides who hears them (pipeline/chain.py).
notify_operators: Link[[OperatorEvent], bool] = Link("components.monitor_alerts.notify_operators")

LISTED = 20


def raise_for(unknown: list[Monitor], now: datetime) -> None:
    """Monitors that just became unknown: misconfigured ones (our key, quota or request is wrong) and
    silent ones (no results: workers or beat down, a queue stuck). Each alert goes out once per episode."""
    _misconfigured([m for m in unknown if m.misconfigured], now)
    _silent([m for m in unknown if not m.misconfigured], now)


def _misconfigured(monitors: list[Monitor], now: datetime) -> None:
    for monitor in monitors:
        since = (monitor.status_changed_at or now).isoformat()
        body = (
            f"{monitor} stopped counting towards its components' status: {monitor.misconfigured}\n\n"
            "This is a problem on our side (API key, quota, model name or request), not the provider's. "
            "Readers see nothing of it; the monitor's evidence is missing until it is fixed.\n"
            f"Its admin page: {_admin_url(monitor)}"
        )
        key = f"monitor-misconfigured:{monitor.pk}:{since}"
        notify_operators(
            OperatorEvent(EventKind.MONITOR_MISCONFIGURED, f"Monitor misconfigured: {monitor}", body, key)
        )


def _silent(monitors: list[Monitor], now: datetime) -> None:
    """Tell operators once that monitors stopped reporting (workers dead, a queue stuck): readers get
    a note on the page, but only an operator can bring the probes back."""
    silent = [m for m in monitors if is_stale(m.last_probe_at, m.interval, now, m.thresholds())]
    if not silent:
        return  # unknown for another reason (misconfigured), or reporting again since
    body = (
        "No probe results for several intervals from:\n" + _listed(silent)
        + "\n\nTheir components keep their last status, with a note on the public page. "
        "Check that the workers and beat are running and the probe queues are moving."
    )  # fmt: skip
    # One alert per episode: the key names the monitor and when it fell silent.
    first = min(silent, key=lambda m: m.pk)
    key = f"monitors-silent:{first.pk}:{(first.last_probe_at or now).isoformat()}"
    notify_operators(
        OperatorEvent(EventKind.MONITORS_SILENT, f"{len(silent)} monitor(s) stopped reporting", body, key)
    )


def _listed(monitors: list[Monitor]) -> str:
    names = [f"  - {m}" for m in monitors[:LISTED]]
    if len(monitors) > LISTED:
        names.append(f"  ... and {len(monitors) - LISTED} more")
    return "\n".join(names)


def _admin_url(monitor: Monitor) -> str:
    return settings.SITE_URL + reverse("admin:monitors_monitor_change", args=[monitor.pk])
