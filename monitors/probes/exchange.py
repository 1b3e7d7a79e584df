"""One timed HTTP exchange for a probe: phase deadlines, a capped body, and the Observation it yields."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from monitors.classify import Verdict, classify_exception, classify_response
from monitors.outcomes import Outcome
from monitors.probes import transport
from monitors.probes.base import Observation, ProbeSpec

MAX_BODY_BYTES = 1 << 20  # a larger body or stream is classified from what was read, never loaded whole


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    follow_redirects: bool = False


@dataclass(frozen=True)
class Waits:
    """What the first deadline waits for, and what counts as progress after it (for messages)."""

    first: str  # what must arrive before the first deadline
    stalled: str  # the message when progress stops: {s} seconds, {n} progress so far
    first_by_ttft: bool  # the first deadline is ttft_timeout_s (else the whole timeout_s)


CHAT_STREAM = Waits("first token", "no token for {s:g} s after {n} token(s)", first_by_ttft=True)
# Not streamed, the whole reply is the first token: bytes dripping in are no progress, so a reply that
# does not complete by the first-token deadline is timeout_ttft, whatever its bytes (read_body).
CHAT_REPLY = Waits("complete reply", "body stalled for {s:g} s", first_by_ttft=True)
MODEL_LIST = Waits("complete model list", "body stalled for {s:g} s", first_by_ttft=True)
DOCUMENT = Waits("complete response body", "body stalled for {s:g} s", first_by_ttft=False)

Handler = Callable[["Exchange", httpx.Response], Awaitable[Verdict]]


class Exchange:
    """Deadlines are one `asyncio.timeout`, rescheduled only on real progress: until the first token (or
    first body content) the first-token deadline; then `stall_timeout_s` since the last progress; never
    past `timeout_s` from the start. Times are perf_counter() stamps, measured from `t_send`: the
    request is being written, on a connection already open (§4: connect time apart). With our
    transport, bytes are stamped when they reach the socket rather than when this task reads them, so
    a busy event loop does not add its own delay to the measurements.
    """

    def __init__(self, spec: ProbeSpec, waits: Waits) -> None:
        self.spec = spec
        self.waits = waits
        self.obs = Observation(spec.monitor_id, Outcome.OK, datetime.now(UTC))
        self.loop = asyncio.get_running_loop()
        self.wire = transport.track()
        self.t0 = time.perf_counter()
        self.first_timeout_s = min(
            spec.ttft_timeout_s if waits.first_by_ttft else spec.timeout_s, spec.timeout_s
        )
        self.hard_deadline = self.loop.time() + spec.timeout_s
        self.budget: asyncio.Timeout | None = None
        self.response: httpx.Response | None = None
        self.headers_at: float | None = None
        self.first_at: float | None = None
        self.done_at: float | None = None
        self.progressed = 0  # tokens or content chunks, for messages
        self.body = bytearray()
        self.over_cap = False

    @property
    def t_send(self) -> float:
        return self.wire.sent or self.wire.ready or self.t0

    def arrived(self) -> float:
        """When the bytes just read reached us (the transport's stamp; otherwise, now)."""
        return self.wire.received_at or time.perf_counter()

    def ms(self, moment: float) -> float:
        return round((moment - self.t_send) * 1000, 3)

    def progress(self, now: float) -> None:
        """Real progress (a token, body content) at perf_counter() `now`: restart the stall timer."""
        if self.first_at is None:
            self.first_at = now
        self.progressed += 1
        if self.budget is not None and not self.budget.expired():
            self.budget.reschedule(min(self.loop.time() + self.spec.stall_timeout_s, self.hard_deadline))

    async def read_body(self, response: httpx.Response) -> bytes:
        """The whole body, capped; it is one piece of progress when complete, so a body that drips
        (a byte now and then, or DeepSeek's blank keep-alive lines) runs into the first deadline."""
        async for chunk in response.aiter_bytes():
            self.body += chunk
            if len(self.body) > MAX_BODY_BYTES:
                self.over_cap = True
                del self.body[MAX_BODY_BYTES:]
                break
        self.done_at = self.arrived()
        self.progress(self.done_at)
        return bytes(self.body)

    async def error_verdict(self, response: httpx.Response) -> Verdict:
        return classify_response(response.status_code, response.headers, await self.read_body(response))

    def timed_out(self) -> Verdict:
        """Our deadline fired (or httpx's read timeout did): what the phase we were in says."""
        if self.response is None:
            if self.wire.started is not None and self.wire.ready is None:
                return Verdict(Outcome.TIMEOUT_CONNECT, "timeout", "no connection before the deadline")
            return Verdict(
                Outcome.TIMEOUT_TTFT, "timeout", f"no response headers within {self.first_timeout_s:g} s"
            )
        if not self.response.is_success:
            return classify_response(self.response.status_code, self.response.headers, bytes(self.body))
        if self.first_at is None:
            return Verdict(
                Outcome.TIMEOUT_TTFT, "timeout", f"no {self.waits.first} within {self.first_timeout_s:g} s"
            )
        if self.loop.time() >= self.hard_deadline - 0.001:
            return Verdict(
                Outcome.STREAM_STALLED, "deadline", f"not finished within {self.spec.timeout_s:g} s"
            )
        return Verdict(
            Outcome.STREAM_STALLED,
            "stall",
            self.waits.stalled.format(s=self.spec.stall_timeout_s, n=self.progressed),
        )

    def finish(self, verdict: Verdict) -> Observation:
        obs = self.obs
        obs.outcome, obs.error_type, obs.message = verdict
        if self.wire.started is not None and self.wire.ready is not None:
            obs.connect_ms = round((self.wire.ready - self.wire.started) * 1000, 3)
        if self.response is not None and self.headers_at is not None:
            obs.http_status = self.response.status_code
            obs.ttfb_ms = self.ms(self.headers_at)
        obs.total_ms = self.ms(self.done_at or time.perf_counter())
        if obs.outcome is Outcome.OK:
            self._mark_slow(obs)
        return obs

    def _mark_slow(self, obs: Observation) -> None:
        # Without streaming the first token arrives with the whole reply, so total stands in for TTFT.
        first = obs.ttft_ms if obs.ttft_ms is not None else obs.total_ms
        reasons = []
        if self.spec.slow_ttft_ms is not None and first is not None and first > self.spec.slow_ttft_ms:
            reasons.append(f"ttft ({first:.0f} ms) > {self.spec.slow_ttft_ms:g} ms")
        if (
            self.spec.slow_total_ms is not None
            and obs.total_ms is not None
            and obs.total_ms > self.spec.slow_total_ms
        ):
            reasons.append(f"total ({obs.total_ms:.0f} ms) > {self.spec.slow_total_ms:g} ms")
        if reasons:
            obs.outcome, obs.message = Outcome.SLOW, "; ".join(reasons)


async def perform(
    spec: ProbeSpec, client: httpx.AsyncClient, call: Call, handle: Handler, waits: Waits
) -> Observation:
    """Send `call`, hand the response to `handle`, and classify whatever goes wrong on the way."""
    ex = Exchange(spec, waits)
    timeout = httpx.Timeout(spec.timeout_s, connect=spec.connect_timeout_s, pool=spec.connect_timeout_s)
    try:
        request = client.build_request(
            call.method, _parsed(call.url), headers=call.headers, json=call.json, timeout=timeout
        )
        async with asyncio.timeout_at(ex.loop.time() + ex.first_timeout_s) as ex.budget:
            response = await client.send(request, stream=True, follow_redirects=call.follow_redirects)
            ex.headers_at = ex.arrived()
            ex.response = response
            try:
                verdict = await handle(ex, response)
                ex.budget.reschedule(None)  # done: closing the response must not count as a timeout
            finally:
                await response.aclose()
    except httpx.ConnectTimeout as exc:
        verdict = classify_exception(exc, got_headers=False)
    except (TimeoutError, httpx.TimeoutException):
        verdict = ex.timed_out()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        verdict = classify_exception(exc, got_headers=ex.response is not None)
    return ex.finish(verdict)


@functools.lru_cache(maxsize=4096)
def _parsed(url: str) -> httpx.URL:
    """Parsing a URL costs more than the rest of building a request; a batch probes a few URLs many times."""
    return httpx.URL(url)


def endpoint(base: str, path: str) -> str:
    """`base` may be the API root or already the full endpoint."""
    base = base.rstrip("/")
    return base if base.endswith(path) else base + path
