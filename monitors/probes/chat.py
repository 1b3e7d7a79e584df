"""What the chat kinds share: one request, a reply or a stream, and the checks on what came back."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from monitors.classify import Verdict, classify_error_payload, has_error_payload
from monitors.outcomes import Outcome
from monitors.probes import stream
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import CHAT_REPLY, CHAT_STREAM, MAX_BODY_BYTES, Call, Exchange, perform
from monitors.probes.reply import ReadEvent, Step, conclude

# A chat monitor with no slow threshold of its own still says `slow` past this first-token time: a
# reply that takes seconds to start is what users notice, and `ok` would hide it.
DEFAULT_SLOW_TTFT_MS = 2000.0


@dataclass(frozen=True)
class Dialect:
    call: Call
    parse_reply: Callable[[Any], Step]  # a whole non-streaming reply; ValueError when malformed
    read_event: ReadEvent
    terminator: str = ""  # a non-JSON data line that ends the stream, e.g. OpenAI's [DONE]


def with_defaults(spec: ProbeSpec) -> ProbeSpec:
    """The chat defaults: a slow-TTFT threshold unless the monitor sets one (the content check that a
    reply says something is always on: reply.conclude)."""
    if spec.slow_ttft_ms is None:
        return dataclasses.replace(spec, slow_ttft_ms=DEFAULT_SLOW_TTFT_MS)
    return spec


async def probe(spec: ProbeSpec, client: httpx.AsyncClient, dialect: Dialect) -> Observation:
    spec = with_defaults(spec)

    async def handle(ex: Exchange, response: httpx.Response) -> Verdict:
        if not response.is_success:
            return await ex.error_verdict(response)
        if spec.stream and "event-stream" in response.headers.get("content-type", ""):
            return await stream.follow(ex, response, dialect.read_event, dialect.terminator)
        return _reply_verdict(ex, await ex.read_body(response), dialect.parse_reply)

    return await perform(spec, client, dialect.call, handle, CHAT_STREAM if spec.stream else CHAT_REPLY)


def _reply_verdict(ex: Exchange, body: bytes, parse_reply: Callable[[Any], Step]) -> Verdict:
    if ex.over_cap:
        return Verdict(Outcome.MALFORMED, "too_large", f"reply larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        return Verdict(Outcome.EMPTY_RESPONSE, "empty", "empty body")
    try:
        data = json.loads(body)
    except ValueError as exc:
        return Verdict(Outcome.MALFORMED, "invalid_json", f"reply is not JSON ({exc}): {body[:80]!r}")
    if has_error_payload(data):
        return classify_error_payload(data)
    try:
        reply = parse_reply(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Verdict(Outcome.MALFORMED, "unexpected_shape", f"reply has an unexpected shape: {exc}")
    ex.obs.tokens_out = reply.tokens
    if reply.tokens_in is not None:
        ex.obs.details["tokens_in"] = reply.tokens_in
    return conclude(ex.spec, reply.text, reply.stop)


def auth_headers(flavour: str, api_key: str) -> dict[str, str]:
    """Gemini's key goes in a header too, never in the URL, so it cannot leak into logged URLs."""
    if not api_key:
        return {}
    if flavour == "anthropic":
        return {"x-api-key": api_key}
    if flavour == "gemini":
        return {"x-goog-api-key": api_key}
    if flavour == "api-key":  # Azure OpenAI's key header
        return {"api-key": api_key}
    return {"authorization": f"Bearer {api_key}"}
