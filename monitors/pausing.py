"""Pause and resume monitors, recording each as a state change so the status side recomputes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from monitors.models import Monitor, MonitorStatus, StateChange

_STATE = ["enabled", "status", "status_changed_at", "region_states", "next_probe_at"]


def pause(monitors: QuerySet[Monitor], *, reason: str, now: datetime, on_change: Callable[[], None]) -> int:
    """Stop probing; the monitor shows paused and no longer counts towards its components' status."""
    return _switch(monitors.filter(enabled=True), enabled=False, status=MonitorStatus.PAUSED,
                   reason=reason, now=now, on_change=on_change)  # fmt: skip


def resume(monitors: QuerySet[Monitor], *, reason: str, now: datetime, on_change: Callable[[], None]) -> int:
    """Probe again at once; the status is unknown until results confirm one (never assumed up)."""
    return _switch(monitors.filter(enabled=False), enabled=True, status=MonitorStatus.UNKNOWN,
                   reason=reason, now=now, on_change=on_change)  # fmt: skip


def _switch(
    monitors: QuerySet[Monitor], *, enabled: bool, status: str, reason: str, now: datetime,
    on_change: Callable[[], None],
) -> int:  # fmt: skip
    with transaction.atomic():
        switched = list(monitors.select_for_update().order_by("pk"))
        changes = [
            StateChange(
                monitor=m, created_at=now, old_status=m.status, new_status=status, reason=reason[:300]
            )
            for m in switched
            if m.status != status
        ]
        for monitor in switched:
            monitor.enabled, monitor.status, monitor.status_changed_at = enabled, status, now
            monitor.region_states = {}  # votes from before the pause confirm nothing after it
            if enabled:
                monitor.next_probe_at = now
        Monitor.objects.bulk_update(switched, _STATE)
        StateChange.objects.bulk_create(changes)
        if changes:
            transaction.on_commit(on_change)  # the doorbell; the StateChange rows are the hand-off
    return len(switched)
