"""Run a batch of probes on one event loop, bounded in concurrency and time, never raising."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx

from monitors import probes
from monitors.outcomes import Outcome
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.transport import make_client, new_event_loop
from statuspage.lib.redact import clip, redact, redact_data

log = logging.getLogger(__name__)

# Past the probe's own deadline, which it enforces itself; this only catches a probe that does not.
GRACE_S = 1.0
# Probe starts are spaced this far apart. Started all at once, a batch's first probes would keep the
# event loop busy for tens of milliseconds while early replies wait to be read, and would reach a
# provider as one burst; spaced, the loop stays free and a batch of 100 is under way in 0.1 s.
START_SPACING_S = 0.001
SECRET_HEADER = ("auth", "key", "token", "secret", "cookie")
MAX_ERROR_TYPE = 100


async def run_batch(
    specs: list[ProbeSpec], *, concurrency: int, region: str, reuse_connections: bool = True
) -> list[Observation]:
    """One Observation per spec, in order. A hanging endpoint holds only its own slot until its deadline.

    `concurrency` runners take the next spec as each finishes one. A task per spec, made up front, would
    cost the loop one long turn at the start of a batch of thousands, and every reply arriving during
    that turn would be stamped late. A spec with a due time (`not_before`) holds its runner until then,
    so pass those earliest first.
    """
    observations: list[Observation | None] = [None] * len(specs)
    queue = iter(enumerate(specs))  # shared: no await between taking an item and the next take
    pacer = Pacer(START_SPACING_S)
    async with make_client(reuse_connections=reuse_connections) as client:

        async def runner() -> None:
            for index, spec in queue:
                observations[index] = await _run_one(spec, client, pacer, region)

        await asyncio.gather(*(runner() for _ in range(min(max(1, concurrency), len(specs)))))
    return observations  # type: ignore[return-value]  # every index was filled by a runner


def run_batch_sync(specs: list[ProbeSpec], *, concurrency: int, region: str) -> list[Observation]:
    """For Celery's synchronous tasks: a fresh event loop per batch (one that stamps its polls, see
    transport.PollStampingSelector), closed when it is done, with the cyclic garbage collector paused."""
    with _collector_paused(), asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(run_batch(specs, concurrency=concurrency, region=region))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A full collection in a worker stops its event loop for tens of milliseconds, and every token
    arriving meanwhile is timed late by that much (bench/probes.py: p99 error 23 ms with it, 2 ms
    without). Refcounting still frees almost everything; the cycles a batch leaves are collected
    after it, when nothing is being timed. A batch is bounded by its probes' deadlines, so is this."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Pacer:
    """Hands out start times at least `spacing_s` apart, in the order asked."""

    def __init__(self, spacing_s: float) -> None:
        self.spacing_s = spacing_s
        self.next_at = 0.0

    async def turn(self) -> None:
        now = asyncio.get_running_loop().time()
        at = max(now, self.next_at)
        self.next_at = at + self.spacing_s
        if at > now:
            await asyncio.sleep(at - now)


async def _run_one(spec: ProbeSpec, client: httpx.AsyncClient, pacer: Pacer, region: str) -> Observation:
    if spec.not_before is not None:
        await asyncio.sleep(max(0.0, spec.not_before - time.time()))
    await pacer.turn()
    started_at = datetime.now(UTC)
    try:
        async with asyncio.timeout(spec.timeout_s + GRACE_S):
            observation = await probes.run(spec, client)
    except TimeoutError:
        observation = Observation(
            spec.monitor_id,
            Outcome.TIMEOUT_TTFT,
            started_at,
            error_type="deadline",
            message=f"probe overran its {spec.timeout_s:g} s deadline",
        )
    except Exception as exc:
        # A bug in a probe must not cost the batch, and must still be seen: logged with its traceback.
        log.exception("probe crashed: monitor %s (%s)", spec.monitor_id, spec.kind)
        observation = Observation(
            spec.monitor_id,
            Outcome.MALFORMED,
            started_at,
            error_type=type(exc).__name__,
            message=f"probe crashed: {type(exc).__name__}: {exc}",
        )
    observation.region = region
    return _scrubbed(observation, spec)


def _scrubbed(observation: Observation, spec: ProbeSpec) -> Observation:
    """Nothing secret leaves the engine: the key, credential headers, or anything shaped like a key."""
    secrets = [spec.api_key] + [
        value for name, value in spec.headers.items() if any(word in name.lower() for word in SECRET_HEADER)
    ]
    observation.message = clip(redact(observation.message, secrets))
    observation.error_type = clip(redact(observation.error_type, secrets), MAX_ERROR_TYPE)
    observation.details = redact_data(observation.details, secrets)
    return observation
