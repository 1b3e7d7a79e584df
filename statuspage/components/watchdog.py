"""The pipeline's own freshness, checked by the readers (web, beat) so a stalled worker cannot hide it.

Evidence, where it is read, and when it is late:

- results, per region: the newest `region_states[region].last_at` of its active monitors; late after
  2 x the region's shortest interval + 2 ticks (a healthy region's newest result is at most an interval
  and a probe's timeout old).
- the scheduler tick: the oldest `next_probe_at` of an active monitor (each tick moves the claimed ones
  ahead); late after 3 ticks + TICK_SLACK. The tick runs on a worker, so this sees a frozen worker first.
- queue depth: Redis LLEN of each queue; never late on its own (a burst is normal), exposed in /metrics;
  a queue that does not move makes results late, which counts.

When any evidence is late, monitoring is "delayed since" the oldest late evidence: every surface says so
instead of claiming operational (statuspage/public/build.py), and operators are alerted once an episode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import django.dispatch
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from monitors.models import Monitor, MonitorStatus
from monitors.state import RegionState
from statuspage.lib.chain import Link
from statuspage.lib.operator_events import EventKind, OperatorEvent

log = logging.getLogger(__name__)

# Operator events go to subscriptions.alerts, which decides who hears them (pipeline/chain.py).
notify_operators: Link[[OperatorEvent], bool] = Link("components.watchdog.notify_operators")

TICK_SLACK = timedelta(seconds=30)  # the tick shares the default queue with rollups and sweeps
DELAYED_PREFIX = "Monitoring delayed since"
WATCH_SECONDS = 15.0  # how often beat's own thread looks

# Sent once per episode (the first process to notice it), after the operators' alert is stored:
# receivers (e.g. chat notifications) get the Freshness that fired it.
watchdog_fired = django.dispatch.Signal()


@dataclass(frozen=True)
class Evidence:
    kind: str  # "results" (of one region) or "tick"
    region: str  # "" for the tick
    at: datetime | None  # when it was last fresh; None: never
    limit: timedelta

    @property
    def what(self) -> str:
        return f"results in {self.region}" if self.region else "scheduler tick"

    def lag(self, now: datetime) -> timedelta:
        return now - self.at if self.at is not None else timedelta(0)

    def late(self, now: datetime) -> bool:
        return self.at is not None and self.lag(now) > self.limit


@dataclass(frozen=True)
class Freshness:
    now: datetime
    evidence: tuple[Evidence, ...]
    queue_depths: Mapping[str, int] = field(default_factory=dict)  # queue -> messages waiting
    tick: timedelta = timedelta(seconds=5)  # the scheduler's; new evidence can come no faster

    @property
    def late(self) -> list[Evidence]:
        return [e for e in self.evidence if e.late(self.now)]

    @property
    def delayed_since(self) -> datetime | None:
        """When the oldest late evidence was last fresh; None while everything is on time."""
        return min((e.at for e in self.late if e.at is not None), default=None)

    def recheck_at(self) -> datetime:
        """When what was read here may no longer hold: the first evidence to go late if none has,
        else the next tick, to notice the recovery as soon as evidence can arrive."""
        if self.delayed_since is not None:
            return self.now + self.tick
        due = [e.at + e.limit for e in self.evidence if e.at is not None]
        return max(min(due, default=self.now + timedelta(days=1)), self.now + timedelta(seconds=1))


@dataclass(frozen=True)
class ActiveMonitor:
    """What the watchdog needs of a monitor that is enabled and not paused."""

    interval: timedelta
    regions: tuple[str, ...]
    last_at: Mapping[str, datetime | None]  # region -> its newest result for this monitor
    next_probe_at: datetime


def assess(
    monitors: Iterable[ActiveMonitor], now: datetime, tick: timedelta, depths: Mapping[str, int]
) -> Freshness:
    """Pure: the evidence of each region and of the tick, with their limits (see the module docstring)."""
    monitors = list(monitors)
    evidence: list[Evidence] = []
    for region in sorted({r for m in monitors for r in m.regions}):
        probing = [m for m in monitors if region in m.regions]
        seen = [m.last_at.get(region) for m in probing]
        newest = max((at for at in seen if at is not None), default=None)
        shortest = min(m.interval for m in probing)
        evidence.append(Evidence("results", region, newest, 2 * shortest + 2 * tick))
    if monitors:
        oldest_due = min(m.next_probe_at for m in monitors)
        evidence.append(Evidence("tick", "", min(oldest_due, now), 3 * tick + TICK_SLACK))
    return Freshness(now, tuple(evidence), dict(depths), tick)


def read(now: datetime) -> Freshness:
    """The evidence from the database and the queue depths from Redis (empty when Redis is down)."""
    rows = Monitor.objects.filter(enabled=True).exclude(status=MonitorStatus.PAUSED)
    monitors = []
    for m in rows.only("interval_s", "regions", "region_states", "next_probe_at"):
        regions = tuple(m.regions or [settings.PROBE_REGION])
        states = m.region_states or {}
        last_at = {r: RegionState.from_json(states[r]).last_at if r in states else None for r in regions}
        monitors.append(ActiveMonitor(m.interval, regions, last_at, m.next_probe_at))
    regions = sorted({r for m in monitors for r in m.regions})
    tick = timedelta(seconds=settings.SCHEDULER_TICK_SECONDS)
    return assess(monitors, now, tick, queue_depths(["default", *(f"probes.{r}" for r in regions)]))


def queue_depths(queues: list[str]) -> dict[str, int]:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
        with client.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.llen(queue)
            return dict(zip(queues, pipe.execute(), strict=True))
    except redis.RedisError:
        return {}


def description(since: datetime) -> str:
    """What every surface says instead of its status while the evidence is late."""
    return f"{DELAYED_PREFIX} {since.astimezone(UTC):%H:%M} UTC"


def raise_alarm(freshness: Freshness) -> bool:
    """Alert operators once for this episode (keyed by when it began); True if this call fired it.

    Safe from any process and any number of times: the first caller stores the alert and sends
    `watchdog_fired`; the rest find the key taken.
    """
    since = freshness.delayed_since
    if since is None:
        return False
    late = "\n".join(
        f"  - {e.what}: last at {e.at:%Y-%m-%d %H:%M:%S} UTC, "
        f"{e.lag(freshness.now).total_seconds():.0f} s ago (limit {e.limit.total_seconds():.0f} s)"
        for e in freshness.late
    )
    depths = ", ".join(f"{q}: {n}" for q, n in sorted(freshness.queue_depths.items()))
    body = (
        f'Our own monitoring is behind; the public page, API and badges say "{description(since)}" '
        f"instead of claiming operational.\n\nLate evidence:\n{late}\n\n"
        f"Queue depths: {depths or 'unknown (Redis did not answer)'}\n\n"
        "Check that the workers and beat are running, and that Redis and Postgres answer."
    )
    with transaction.atomic():
        event = OperatorEvent(
            EventKind.PIPELINE_STALLED, description(since), body, key=f"pipeline-delayed:{since.isoformat()}"
        )
        fired = notify_operators(event)
        if fired:
            transaction.on_commit(lambda: watchdog_fired.send(sender=Freshness, freshness=freshness))
    if fired:
        log.warning("watchdog fired: %s", description(since))
    return fired


def watch_forever(period_s: float = WATCH_SECONDS) -> None:
    """Beat's watchdog thread: in beat's own process, not a task, so a frozen worker cannot silence it
    (the web process checks too, whenever it renders the page)."""
    while True:
        time.sleep(period_s)
        try:
            close_old_connections()
            raise_alarm(read(timezone.now()))
        except Exception:  # a database outage, say: keep watching, the next look may get through
            log.warning("the watchdog could not look at the pipeline", exc_info=True)
