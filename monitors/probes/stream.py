"""Follow a streamed reply event by event: TTFT, inter-token gaps, tokens/s, and how the stream ended."""

from __future__ import annotations

import itertools
import json
import statistics
from typing import Any

import httpx

from monitors.classify import Verdict, classify_error_payload
from monitors.outcomes import Outcome
from monitors.probes.exchange import MAX_BODY_BYTES, Exchange
from monitors.probes.reply import DONE, ReadEvent, Step, conclude
from monitors.probes.sse import Event, SseError, SseParser

MAX_TEXT = 64 * 1024  # answer text kept for the content check


class _Tally:
    """Tokens and their arrival times; `verdict` is set once the stream has said how it ends."""

    def __init__(self, read_event: ReadEvent, terminator: str) -> None:
        self.read_event = read_event
        self.terminator = terminator
        self.times: list[float] = []  # perf_counter() of each token event
        self.text: list[str] = []
        self.text_len = 0
        self.usage: int | None = None
        self.usage_in: int | None = None
        self.stop = ""
        self.ended_at: float | None = None
        self.error: Any = None

    def take(self, events: list[Event], now: float, ex: Exchange) -> bool:
        """Fold in the events of one chunk received at `now`; True once the stream has ended."""
        for event in events:
            step = self._read(event)
            if step.tokens is not None:
                self.usage = step.tokens
            if step.tokens_in is not None:
                self.usage_in = step.tokens_in
            if step.stop:
                self.stop = step.stop
            if step.text and self.text_len < MAX_TEXT:
                self.text.append(step.text)
                self.text_len += len(step.text)
            if step.text or step.reasoning:
                self.times.append(now)
                ex.progress(now)
            if step.error is not None or step.done:
                self.error, self.ended_at = step.error, now
                return True
        return False

    def _read(self, event: Event) -> Step:
        if self.terminator and event.data.strip() == self.terminator:
            return DONE
        try:
            data = json.loads(event.data)
        except ValueError as exc:
            raise ValueError(f"{exc}: {event.data[:80]!r}") from None
        try:
            return self.read_event(event.name, data)
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"unexpected event shape ({type(exc).__name__}: {exc})") from None


async def follow(ex: Exchange, response: httpx.Response, read_event: ReadEvent, terminator: str) -> Verdict:
    """A token is an event carrying generated text (answer or reasoning); role-only deltas, message_start,
    content_block_start, pings, comments and blank lines are not, so they neither set TTFT nor restart the
    stall timer. Complete at the terminal event, or at EOF once a stop reason was given (Gemini has no
    terminator; an OpenAI stream cut after its finish_reason still delivered the whole reply). A stream
    that ends cleanly without a single token is an empty reply, as it is when not streamed.
    """
    parser = SseParser(max_line=MAX_BODY_BYTES)
    tally = _Tally(read_event, terminator)
    received = 0
    eof_at = None
    try:
        ended = False
        async for chunk in response.aiter_bytes():
            now = ex.arrived()  # when the chunk reached the socket: timing error stays well under 1 ms
            received += len(chunk)
            if received > MAX_BODY_BYTES:
                return Verdict(Outcome.MALFORMED, "too_large", f"stream longer than {MAX_BODY_BYTES} bytes")
            if tally.take(parser.feed(chunk), now, ex):
                ended = True
                break
        if not ended:
            eof_at = ex.arrived()
            tally.take(parser.close(), eof_at, ex)
    except SseError as exc:
        return Verdict(Outcome.MALFORMED, "invalid_sse", str(exc))
    except ValueError as exc:
        return Verdict(Outcome.MALFORMED, "invalid_event", f"unreadable stream event: {exc}")
    finally:
        _measure(ex, tally, parser.comments)
    if tally.error is not None:
        ex.done_at = tally.ended_at
        return classify_error_payload(tally.error)
    if tally.ended_at is not None or tally.stop:
        ex.done_at = tally.ended_at or eof_at  # Gemini's stream ends at EOF after its finishReason
        return conclude(ex.spec, "".join(tally.text), tally.stop)
    if eof_at is not None and not tally.times:  # ended cleanly, having said nothing
        ex.done_at = eof_at
        return Verdict(Outcome.EMPTY_RESPONSE, "empty", "the stream ended with no content")
    return Verdict(
        Outcome.STREAM_TRUNCATED,
        "eof",
        f"stream ended without a terminator after {len(tally.times)} token(s)",
    )


def _measure(ex: Exchange, tally: _Tally, comments: int) -> None:
    obs, times = ex.obs, tally.times
    if comments:
        obs.details["keepalives"] = comments
    if tally.usage_in is not None:
        obs.details["tokens_in"] = tally.usage_in
    if not times:
        return
    obs.ttft_ms = ex.ms(times[0])
    if tally.usage is not None:
        obs.tokens_out, obs.tokens_estimated = tally.usage, False
    else:
        obs.tokens_out, obs.tokens_estimated = len(times), True
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(times)]
    if gaps:
        obs.itl_max_ms = round(max(gaps), 3)
        obs.details["itl_p50_ms"] = round(statistics.median(gaps), 3)
    span = times[-1] - times[0]
    if obs.tokens_out > 1 and span > 0:
        obs.tokens_per_s = round((obs.tokens_out - 1) / span, 2)
