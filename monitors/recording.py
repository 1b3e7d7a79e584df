"""Store a batch of observations and advance monitor state, in one transaction; expire stale monitors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone

from monitors import confirmation, state
from monitors.history import aggregator, results, rollups
from monitors.models import Confirmation, Monitor, MonitorStatus, StateChange
from monitors.probes.base import Observation

# Where each (monitor, region) of a batch stands on confirmation: (due time, votes), or None for none.
Plans = dict[tuple[int, str], tuple[datetime, int] | None]


def record(
    observations: Sequence[Observation],
    *,
    on_change: Callable[[], None] | None = None,
    confirm: confirmation.Policy | None = None,
    on_confirm: Callable[[], None] | None = None,
) -> int:
    """Insert results, apply each to its monitor's state machine, write StateChange rows.

    Returns the number of state changes. `on_change` runs after commit when any monitor changed
    (the doorbell for the status side); the StateChange rows are the real hand-off. With a `confirm`
    policy, a region left with a change pending gets a Confirmation row (monitors/confirmation.py),
    and `on_confirm` runs after commit (the doorbell for whoever claims them).

    Safe to apply twice: results already stored (a retried task) are skipped whole, so they move
    neither state nor rollups a second time. Rollups take the results from monitors/history/aggregator.py.
    """
    unique = {results.key(o): o for o in reversed(observations)}  # one per key, the first one given
    if not unique:
        return 0
    try:
        return _record(list(unique.values()), on_change, confirm, on_confirm)
    except results.AlreadyStored:
        stored = results.stored(unique)
        fresh = [o for k, o in unique.items() if k not in stored]
        return _record(fresh, on_change, confirm, on_confirm) if fresh else 0


def _record(
    observations: list[Observation],
    on_change: Callable[[], None] | None,
    confirm: confirmation.Policy | None,
    on_confirm: Callable[[], None] | None,
) -> int:
    ordered = sorted(observations, key=lambda o: (o.monitor_id, o.started_at))
    with transaction.atomic():
        watermark = aggregator.share()  # first, before any row lock: the rollup feed waits for us
        # Lock in id order so concurrent batches touching the same monitors cannot deadlock.
        monitors = {
            m.pk: m
            for m in Monitor.objects.select_for_update()
            .filter(pk__in={o.monitor_id for o in ordered})
            .only(*_LOADED)  # not the spec's url, headers, body, conditions...: unused here
            .order_by("pk")
        }
        now = timezone.now()
        rows, changes, plans = [], [], {}
        for o in ordered:
            monitor = monitors.get(o.monitor_id)
            if monitor is None:
                continue  # deleted since it was probed: nothing to attach its result to
            rows.append(results.row(o, *_span(monitor, o)))  # before _apply moves the state on
            old_status, was = monitor.status, _region_state(monitor, o) if confirm is not None else None
            transition = _apply(monitor, o)
            if transition is None:
                continue
            if change := _change(monitor, old_status, transition, o.started_at):
                changes.append(change)
            if was is not None and transition.region:  # no region: paused, the result was not looked at
                key = (monitor.pk, transition.region)
                planned = _plan(monitor.pk, was, transition, now, confirm)
                # A row can only exist for a region that had a change pending: others need no DELETE.
                if planned or key in plans or was.pending_status:
                    plans[key] = planned
        results.copy(rows)
        aggregator.add_late(rows, watermark)  # usually none: the feed adds the rest shortly
        _save(monitors.values(), _STATE_FIELDS)
        StateChange.objects.bulk_create(changes)
        _write_plans(plans)
        if changes and on_change:
            transaction.on_commit(on_change)
        if on_confirm and any(plans.values()):
            transaction.on_commit(on_confirm)
    return len(changes)


def _region_state(monitor: Monitor, observation: Observation) -> state.RegionState:
    """The state of the result's region before it is applied (only that region's JSON is read)."""
    return state.RegionState.from_json(monitor.region_states.get(observation.region or "default", {}))


def _plan(
    monitor_id: int,
    was: state.RegionState,
    transition: state.Transition,
    now: datetime,
    policy: confirmation.Policy,
) -> tuple[datetime, int] | None:
    after = transition.state.regions[transition.region]
    letter = after.window[-1:]  # the result's grade, as the state machine appended it
    due = confirmation.plan(was, after, letter, now, policy, f"{monitor_id} {transition.region}")
    return (due, after.pending_count) if due else None


def _write_plans(plans: Plans) -> None:
    """One planned confirmation per (monitor, region) that needs one; none for those that no longer do."""
    planned = [(m, r, *p) for (m, r), p in plans.items() if p]
    withdrawn = [(m, r) for (m, r), p in plans.items() if p is None]
    table = Confirmation._meta.db_table
    with connection.cursor() as cursor:
        if withdrawn:
            cursor.execute(
                f"DELETE FROM {table} WHERE sent_at IS NULL AND (monitor_id, region) IN "  # noqa: S608
                "(SELECT * FROM unnest(%s::bigint[], %s::text[]))",
                [[m for m, _ in withdrawn], [r for _, r in withdrawn]],
            )
        if planned:
            cursor.execute(
                f"INSERT INTO {table} (monitor_id, region, due_at, votes) "  # noqa: S608 - our table
                "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::int[]) "
                "ON CONFLICT (monitor_id, region) WHERE sent_at IS NULL "
                "DO UPDATE SET due_at = excluded.due_at, votes = excluded.votes",
                [list(column) for column in zip(*planned, strict=True)],
            )


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


_STATE_FIELDS = [
    "status",
    "status_changed_at",
    "region_states",
    "misconfigured",
    "last_outcome",
    "last_probe_at",
    "confirmation_probes",
]


# What _span, _apply (thresholds, the state machine) and _save read; a field left out here would
# cost a query per monitor (tests/history/test_recording_fields.py counts them).
_LOADED = [
    *_STATE_FIELDS,
    "enabled",
    "interval_s",
    "kind",
    "options",
    "slow_ttft_ms",
    "slow_total_ms",
]


def _apply(monitor: Monitor, observation: Observation) -> state.Transition | None:
    if not monitor.enabled:
        return None
    monitor.last_outcome = str(observation.outcome)
    monitor.last_probe_at = _latest(monitor.last_probe_at, observation.started_at)
    if observation.details.get("confirmation"):
        monitor.confirmation_probes += 1
    transition = state.next_state(monitor.machine_state, observation, monitor.thresholds())
    monitor.machine_state = transition.state
    return transition


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
