"""Store a batch of observations and advance monitor state, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction

from monitors import state
from monitors.models import Monitor, MonitorStatus, ProbeResult, StateChange
from monitors.probes.base import Observation

_RESULT_FIELDS = (
    "started_at", "region", "http_status", "error_type", "message", "connect_ms", "ttfb_ms",
    "ttft_ms", "total_ms", "tokens_out", "tokens_per_s", "details",
)  # fmt: skip


# A provider's garbage can be any length; the row keeps what fits rather than failing the batch.
_TEXT_LIMITS = {f: ProbeResult._meta.get_field(f).max_length for f in ("error_type", "message", "region")}


def record(observations: Sequence[Observation], *, on_change: Callable[[], None] | None = None) -> int:
    """Insert results, apply each to its monitor's state machine, write StateChange rows.

    Returns the number of state changes. `on_change` runs after commit when any monitor changed
    (the doorbell for the status side); the StateChange rows are the real hand-off.
    """
    if not observations:
        return 0
    ordered = sorted(observations, key=lambda o: (o.monitor_id, o.started_at))
    with transaction.atomic():
        ProbeResult.objects.bulk_create(
            ProbeResult(
                monitor_id=o.monitor_id, outcome=str(o.outcome), **{f: _value(o, f) for f in _RESULT_FIELDS}
            )
            for o in ordered
        )
        # Lock in id order so concurrent batches touching the same monitors cannot deadlock.
        monitors = {
            m.pk: m
            for m in Monitor.objects.select_for_update()
            .filter(pk__in={o.monitor_id for o in ordered})
            .order_by("pk")
        }
        changes = [change for o in ordered if (change := _apply(monitors.get(o.monitor_id), o))]
        Monitor.objects.bulk_update(
            monitors.values(),
            ["status", "status_changed_at", "pending_status", "pending_count", "misconfigured",
             "last_outcome", "last_probe_at"],
        )  # fmt: skip
        StateChange.objects.bulk_create(changes)
        if changes and on_change:
            transaction.on_commit(on_change)
    return len(changes)


def _value(observation: Observation, field: str):
    value = getattr(observation, field)
    if field in _TEXT_LIMITS:
        return (value or "")[: _TEXT_LIMITS[field]]
    return value


def _apply(monitor: Monitor | None, observation: Observation) -> StateChange | None:
    if monitor is None or not monitor.enabled:
        return None
    monitor.last_outcome = str(observation.outcome)
    monitor.last_probe_at = _latest(monitor.last_probe_at, observation.started_at)
    current = state.MonitorState(
        monitor.status, monitor.pending_status, monitor.pending_count, monitor.misconfigured
    )
    transition = state.next_state(current, observation.outcome, observation.message)
    old_status = monitor.status
    monitor.status = transition.state.status
    monitor.pending_status = transition.state.pending_status
    monitor.pending_count = transition.state.pending_count
    monitor.misconfigured = transition.state.misconfigured
    if not transition.changed:
        return None
    monitor.status_changed_at = observation.started_at
    return StateChange(
        monitor=monitor,
        created_at=observation.started_at,
        old_status=old_status or MonitorStatus.UNKNOWN,
        new_status=monitor.status,
        reason=transition.reason[:300],
    )


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a
