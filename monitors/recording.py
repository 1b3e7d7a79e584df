"""Store a batch of observations and advance monitor state, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction

from monitors import aggregator, results, rollups, state
from monitors.models import Monitor, MonitorStatus, StateChange
from monitors.probes.base import Observation


def record(observations: Sequence[Observation], *, on_change: Callable[[], None] | None = None) -> int:
    """Insert results, apply each to its monitor's state machine, write StateChange rows.

    Returns the number of state changes. `on_change` runs after commit when any monitor changed
    (the doorbell for the status side); the StateChange rows are the real hand-off.

    Safe to apply twice: results already stored (a retried task) are skipped whole, so they move
    neither state nor rollups a second time. Rollups take the results from monitors/aggregator.py.
    """
    unique = {results.key(o): o for o in reversed(observations)}  # one per key, the first one given
    if not unique:
        return 0
    try:
        return _record(list(unique.values()), on_change)
    except results.AlreadyStored:
        stored = results.stored(unique)
        fresh = [o for k, o in unique.items() if k not in stored]
        return _record(fresh, on_change) if fresh else 0


def _record(observations: list[Observation], on_change: Callable[[], None] | None) -> int:
    ordered = sorted(observations, key=lambda o: (o.monitor_id, o.started_at))
    with transaction.atomic():
        watermark = aggregator.share()  # first, before any row lock: the rollup feed waits for us
        # Lock in id order so concurrent batches touching the same monitors cannot deadlock.
        monitors = {
            m.pk: m
            for m in Monitor.objects.select_for_update()
            .filter(pk__in={o.monitor_id for o in ordered})
            .order_by("pk")
        }
        rows, changes = [], []
        for o in ordered:
            monitor = monitors.get(o.monitor_id)
            if monitor is None:
                continue  # deleted since it was probed: nothing to attach its result to
            rows.append(results.row(o, *_span(monitor, o)))  # before _apply moves the state on
            if change := _apply(monitor, o):
                changes.append(change)
        results.copy(rows)
        aggregator.add_late(rows, watermark)  # usually none: the feed adds the rest shortly
        _save(
            monitors.values(),
            ["status", "status_changed_at", "pending_status", "pending_count", "misconfigured",
             "last_outcome", "last_probe_at"],
        )  # fmt: skip
        StateChange.objects.bulk_create(changes)
        if changes and on_change:
            transaction.on_commit(on_change)
    return len(changes)


def _save(monitors: Iterable[Monitor], fields: list[str]) -> None:
    """Monitor.objects.bulk_update in one UPDATE ... FROM jsonb_to_recordset: Django builds a CASE
    WHEN per monitor and field, which takes seconds for a batch of a few hundred monitors."""
    monitors = list(monitors)
    if not monitors:
        return
    columns = [Monitor._meta.get_field(name) for name in fields]
    rows = [{"pk": m.pk, **{c.column: getattr(m, c.attname) for c in columns}} for m in monitors]
    spec = ", ".join(f"{c.column} {c.db_type(connection)}" for c in columns)
    assignments = ", ".join(f"{c.column} = v.{c.column}" for c in columns)
    table, pk = Monitor._meta.db_table, Monitor._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS m SET {assignments} "  # noqa: S608 - names from the model
            f"FROM jsonb_to_recordset(%s::jsonb) AS v(pk bigint, {spec}) WHERE m.{pk} = v.pk",
            [json.dumps(rows, default=_iso)],
        )


def _iso(value: datetime) -> str:
    return value.isoformat()  # full microseconds, where DjangoJSONEncoder would keep milliseconds


def _span(monitor: Monitor, observation: Observation) -> tuple[int, str]:
    if not monitor.enabled:
        return 0, ""
    return rollups.span(monitor.status, monitor.last_probe_at, observation.started_at, monitor.interval_s)


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
