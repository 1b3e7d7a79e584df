"""Celery tasks: the scheduler tick, probe batches (ids in, rows out), the stale sweep, history upkeep."""

from __future__ import annotations

import dataclasses
import importlib
import logging
from datetime import UTC, datetime, timedelta

from celery import current_app, shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.utils import timezone

from monitors import confirmation, probes, scheduling
from monitors.history import aggregator, upkeep
from monitors.models import Monitor
from monitors.recording import record, sweep_stale

log = logging.getLogger(__name__)

CLAIM_LIMIT = 1000
# A tick claims this far past the next tick, so that every probe is claimed and on its way this long
# before it is due, whatever the beat's jitter or a busy tick worker.
CLAIM_AHEAD_S = 1.0
# A batch is started this long before its first probe is due: enough for a worker to take it, load
# its monitors and open its event loop; its probes then wait for their own due times.
START_AHEAD_S = 0.2


@worker_process_init.connect
def load_probe_stack(**_: object) -> None:
    """In each worker process as it starts: otherwise its first batch pays for importing the probe stack
    (aiohttp, httpx, every kind) with its probes already due. The web process never loads it."""
    for module in ("monitors.engine", *probes.KINDS.values()):
        importlib.import_module(module)


@shared_task(name="monitors.tick", time_limit=60, soft_time_limit=50)
def tick() -> int:
    """Claim the monitors due before the next tick can act, and the confirmation probes due by then, and
    enqueue their batches on their region's queue, each to start just before its first due probe.
    Safe to run twice."""
    claimed_total = 0
    while True:
        now = timezone.now()
        claimed = scheduling.claim_due(now, CLAIM_LIMIT, _horizon(now))
        claimed_total += len(claimed)
        _enqueue(claimed, now, confirming=False)
        if len(claimed) < CLAIM_LIMIT:
            return claimed_total + confirm_due()


@shared_task(name="monitors.confirm_due", time_limit=60, soft_time_limit=50)
def confirm_due() -> int:
    """Claim the confirmation probes due before the next tick, within each provider's budget, and
    enqueue them like scheduled batches. Rung when a batch plans one; every tick runs it too, so a
    lost doorbell costs at most a tick. Safe to run twice."""
    policy = confirm_policy()
    if not policy.enabled:
        return 0
    now = timezone.now()
    claimed = scheduling.claim_confirmations(now, CLAIM_LIMIT, _horizon(now), policy)
    _enqueue(claimed, now, confirming=True)
    return len(claimed)


def _horizon(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.SCHEDULER_TICK_SECONDS + CLAIM_AHEAD_S)


def _enqueue(claimed: list[scheduling.Claim], now: datetime, *, confirming: bool) -> None:
    for batch in scheduling.batches_by_region(claimed, settings.PROBE_REGION, settings.PROBE_BATCH_SIZE):
        start = datetime.fromtimestamp(batch.due_at[0] - START_AHEAD_S, UTC)
        kwargs = {"monitor_ids": batch.monitor_ids, "region": batch.region, "due_at": batch.due_at}
        probe_batch.apply_async(
            kwargs={**kwargs, "confirming": True} if confirming else kwargs,
            queue=scheduling.queue_for(batch.region),
            eta=start if start > now else None,  # held by the worker, not a process, until then
            # A batch redelivered after its worker died (acks_late: the broker's visibility
            # timeout later) would probe late and twice over; past this it is dropped unrun.
            expires=datetime.fromtimestamp(batch.expires, UTC),
        )


def confirm_policy() -> confirmation.Policy:
    return confirmation.Policy(
        delays_s=settings.CONFIRM_DELAYS_S,
        jitter=settings.CONFIRM_JITTER,
        cap=settings.CONFIRM_PROVIDER_CAP,
        window_s=settings.CONFIRM_WINDOW_S,
    )


@shared_task(name="monitors.probe_batch", time_limit=300, soft_time_limit=240)
def probe_batch(
    *, monitor_ids: list[int], region: str, due_at: list[float] | None = None, confirming: bool = False
) -> int:
    """Probe the monitors concurrently, each at its due time (Unix seconds, when given; otherwise now),
    then store results and state changes in one transaction. Confirmation probes (`confirming`) are
    marked so on their results (details["confirmation"]) and counted on their monitor."""
    due = dict(zip(monitor_ids, due_at or [], strict=False))
    monitors = Monitor.objects.select_related("provider").filter(pk__in=monitor_ids, enabled=True)
    specs = sorted(
        (dataclasses.replace(monitor.to_spec(), not_before=due.get(monitor.pk)) for monitor in monitors),
        key=lambda spec: spec.not_before or 0.0,
    )
    # Imported here so the web process, which imports this module for its tasks' names, never loads
    # the probe engine's aiohttp stack.
    from monitors import engine

    observations = engine.run_batch_sync(specs, concurrency=settings.PROBE_CONCURRENCY, region=region)
    if confirming:
        for observation in observations:
            observation.details["confirmation"] = True
    return record(
        observations,
        on_change=ring_status_doorbell,
        confirm=confirm_policy(),
        on_confirm=ring_confirm_doorbell,
    )


@shared_task(name="monitors.sweep_stale", time_limit=60, soft_time_limit=50)
def sweep_stale_task() -> int:
    """Monitors (and regions) that stopped reporting become unknown, never stay green."""
    return sweep_stale(timezone.now(), on_change=ring_status_doorbell)


def ring_confirm_doorbell() -> None:
    confirm_due.apply_async(queue="default")


def ring_status_doorbell() -> None:
    # By name: monitors must not import the status-page apps (data flows one way).
    current_app.send_task("components.propagate", queue="default")


@shared_task(name="monitors.rollup_feed", time_limit=300, soft_time_limit=240)
def rollup_feed() -> int:
    """Add newly stored results into the rollups. Safe to run twice: a lock serialises runs."""
    return aggregator.catch_up(timezone.now(), timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS))


@shared_task(name="monitors.history_upkeep", time_limit=1800, soft_time_limit=1700)
def history_upkeep() -> dict[str, int]:
    """Create result partitions ahead; retire raw results and hourly rollups past their retention."""
    return upkeep.run(
        timezone.now(),
        raw_days=settings.RAW_RESULT_RETENTION_DAYS,
        hourly_days=settings.HOURLY_ROLLUP_RETENTION_DAYS,
    )
