"""Store a batch of observations and advance monitor state, in one transaction; expire stale monitors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Value

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
        Monitor.objects.bulk_update(monitors.values(), _STATE_FIELDS)
        StateChange.objects.bulk_create(changes)
        if changes and on_change:
            transaction.on_commit(on_change)
    return len(changes)


_STATE_FIELDS = [
    "status",
    "status_changed_at",
    "region_states",
    "misconfigured",
    "last_outcome",
    "last_probe_at",
]


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
    old_status = monitor.status
    transition = state.next_state(monitor.machine_state, observation, monitor.thresholds())
    monitor.machine_state = transition.state
    return _change(monitor, old_status, transition, observation.started_at)


def _change(
    monitor: Monitor, old_status: str, transition: state.Transition, at: datetime
) -> StateChange | None:
    """The outbox row for a move of the monitor, or of one region that the quorum out-voted."""
    if transition.changed:
        monitor.status_changed_at = at
        old, new, region = old_status or MonitorStatus.UNKNOWN, monitor.status, ""
    elif transition.region_changed and _outvoted(transition, monitor.status):
        old, new, region = (
            transition.region_old,
            transition.state.regions[transition.region].status,
            transition.region,
        )
    else:
        return None
    return StateChange(
        monitor=monitor, created_at=at, region=region, old_status=old, new_status=new,
        reason=transition.reason[:300], since=transition.since or at,
    )  # fmt: skip


def _outvoted(transition: state.Transition, monitor_status: str) -> bool:
    """The region failed, or stopped failing, while the quorum kept the monitor where it was."""
    mine = state.SEVERITY.get(monitor_status, 0)
    now = transition.state.regions[transition.region].status
    return max(state.SEVERITY.get(transition.region_old, 0), state.SEVERITY.get(now, 0)) > mine


def sweep_stale(now: datetime, *, on_change: Callable[[], None] | None = None) -> int:
    """Mark regions, and monitors, with no result for a few intervals unknown. Safe to run twice."""
    changes = []
    with transaction.atomic():
        # Candidates: silent for a whole interval, or probed from several regions (one can fall
        # silent while the others keep last_probe_at fresh). The pure function decides.
        silent = ExpressionWrapper(Value(now) - F("last_probe_at"), output_field=DurationField())
        one_interval = ExpressionWrapper(
            F("interval_s") * Value(timedelta(seconds=1)), output_field=DurationField()
        )
        candidates = (
            Monitor.objects.select_for_update(skip_locked=True)
            .filter(enabled=True)
            .exclude(status=MonitorStatus.PAUSED)
            .exclude(region_states={})
            .alias(silent=silent, one_interval=one_interval)
            .filter(Q(silent__gt=F("one_interval")) | Q(regions__1__isnull=False))
            .order_by("pk")
        )
        touched = []
        for monitor in candidates:
            old_status = monitor.status
            transition = state.expire(monitor.machine_state, now, monitor.interval, monitor.thresholds())
            if transition.state == monitor.machine_state:
                continue
            monitor.machine_state = transition.state
            touched.append(monitor)
            if transition.changed:
                monitor.status_changed_at = now
                changes.append(
                    StateChange(monitor=monitor, created_at=now, old_status=old_status,
                                new_status=monitor.status, reason=transition.reason[:300], since=now)
                )  # fmt: skip
        Monitor.objects.bulk_update(touched, _STATE_FIELDS)
        StateChange.objects.bulk_create(changes)
        if changes and on_change:
            transaction.on_commit(on_change)
    return len(changes)


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


@transaction.atomic
def pause(monitor: Monitor, now: datetime) -> bool:
    """Stop probing; the monitor says nothing about its provider until resumed."""
    if monitor.status == MonitorStatus.PAUSED:
        return False
    return _set_status(monitor, MonitorStatus.PAUSED, now, enabled=False, reason="paused by an operator")


@transaction.atomic
def resume(monitor: Monitor, now: datetime) -> bool:
    """Probe again from now; unknown until results arrive (never green by default)."""
    if monitor.status != MonitorStatus.PAUSED:
        return False
    monitor.region_states, monitor.next_probe_at = {}, now
    return _set_status(monitor, MonitorStatus.UNKNOWN, now, enabled=True, reason="resumed by an operator")


def _set_status(monitor: Monitor, new_status: str, now: datetime, *, enabled: bool, reason: str) -> bool:
    StateChange.objects.create(
        monitor=monitor,
        created_at=now,
        since=now,
        old_status=monitor.status,
        new_status=new_status,
        reason=reason,
    )
    monitor.status, monitor.status_changed_at, monitor.enabled = new_status, now, enabled
    monitor.save(update_fields=[*_STATE_FIELDS, "enabled", "next_probe_at"])
    return True
