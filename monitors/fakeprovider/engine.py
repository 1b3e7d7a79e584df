"""How a provider answers one request: its fault plan applied to its dialect's bytes, on time."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, NoReturn

from aiohttp import web

from monitors.fakeprovider import edge, text
from monitors.fakeprovider.dialect import Dialect, ErrorReply, Generation, dumps, new_rid
from monitors.fakeprovider.faults import EDGE, STATUS, BadSetting, Fault, Plan
from monitors.fakeprovider.timing import forever, sleep_until

if TYPE_CHECKING:
    from monitors.fakeprovider.provider import Provider

JSON = "application/json"
EVENT_STREAM = "text/event-stream; charset=utf-8"
STALL_AFTER_TOKENS = 3  # a stalled stream shows a few tokens, then goes quiet


async def generate(request: web.Request, provider: Provider) -> web.StreamResponse:
    """A chat completion / message / generateContent request."""
    dialect = provider.dialect
    rid = new_rid()
    plan = await _front(request, provider, rid, needs_auth=True)
    if not isinstance(plan, Plan):
        return plan
    try:
        body = json.loads(await request.read())
    except ValueError:
        body = None
    gen = dialect.parse(request, body, rid)
    if isinstance(gen, ErrorReply):
        return _error(gen, dialect, rid)
    if plan.fault in STATUS:
        return _error(dialect.error(plan.fault, rid), dialect, rid)
    reply = _reply(plan, gen)
    if gen.stream:
        return await _stream(request, plan, dialect, gen, reply)
    payload = dialect.error_body(gen) if plan.fault is Fault.STREAM_ERROR else dialect.completion(gen, reply)
    # Without streaming, the whole reply waits for its last token.
    await sleep_until(plan.first_token_at + plan.itl_s * max(len(reply.pieces) - 1, 0))
    return await _deliver(request, plan, payload, {**dialect.headers(rid), "Content-Type": JSON})


async def static(
    request: web.Request, provider: Provider, payload: bytes, *, needs_auth: bool, wrong: bytes | None = None
) -> web.StreamResponse:
    """A fixed JSON document (model list, health) under the same faults, where they make sense."""
    dialect = provider.dialect
    rid = new_rid()
    plan = await _front(request, provider, rid, needs_auth=needs_auth)
    if not isinstance(plan, Plan):
        return plan
    fault = plan.fault
    if fault in STATUS or fault is Fault.STREAM_ERROR:
        reply = dialect.error(Fault.SERVER_ERROR if fault is Fault.STREAM_ERROR else fault, rid)
        # An error inside a 200 is the closest a plain document comes to an in-stream error.
        status = 200 if fault is Fault.STREAM_ERROR else reply.status
        return _error(ErrorReply(status, reply.body, reply.headers), dialect, rid)
    await sleep_until(plan.first_token_at)
    if fault is Fault.EMPTY:
        payload = b""
    elif fault is Fault.WRONG_ANSWER and wrong is not None:
        payload = wrong
    elif fault is Fault.HUGE:
        payload += b" " * text.HUGE_BYTES  # trailing whitespace: still valid JSON, just enormous
    return await _deliver(request, plan, payload, {**dialect.headers(rid), "Content-Type": JSON})


async def _front(
    request: web.Request, provider: Provider, rid: str, *, needs_auth: bool
) -> Plan | web.StreamResponse:
    """Latency, edge faults and authentication: everything before the application reads the body.

    Returns the plan to go on with, or the response that ends the request here.
    """
    try:
        plan = provider.plan(request)
    except BadSetting as exc:
        return web.Response(status=400, body=dumps({"fake_provider_error": str(exc)}), content_type=JSON)
    await sleep_until(plan.headers_at)
    if plan.fault in EDGE:
        return await _edge(request, plan, provider.dialect)
    if needs_auth:
        denied = provider.dialect.authenticate(request, provider.api_key, rid)
        if denied is not None:
            return _error(denied, provider.dialect, rid)
    return plan


async def _edge(request: web.Request, plan: Plan, dialect: Dialect) -> web.StreamResponse:
    fault = plan.fault
    if fault is Fault.HANG:
        await forever()
    if fault is Fault.RESET:
        return await edge.reset(request)
    if fault is Fault.SLOWLORIS:
        return await edge.slowloris(request, JSON, plan.beat_s)
    if fault is Fault.BAD_GATEWAY_HTML:
        return edge.bad_gateway_html(dialect.host)
    return edge.cdn_520_empty()


def _error(reply: ErrorReply, dialect: Dialect, rid: str) -> web.Response:
    headers = {**dialect.headers(rid), **reply.headers, "Content-Type": JSON}
    return web.Response(status=reply.status, body=reply.body, headers=headers)


def _reply(plan: Plan, gen: Generation) -> text.Reply:
    if plan.fault is Fault.EMPTY:
        return text.EMPTY
    if plan.fault is Fault.HUGE:
        return text.huge()
    return text.reply(gen.max_tokens, plan.tokens, wrong=plan.fault is Fault.WRONG_ANSWER)


async def _deliver(
    request: web.Request, plan: Plan, payload: bytes, headers: dict[str, str]
) -> web.StreamResponse:
    """Send a whole body, or botch its delivery as the fault says."""
    fault = plan.fault
    if fault is Fault.MALFORMED:
        payload = payload[: len(payload) // 2]
    elif fault is Fault.STALL_KEEPALIVE:
        # DeepSeek under load: the request stays open and blank lines keep arriving.
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        await _keepalive(response, b"\n", plan.beat_s)
    elif fault in (Fault.STALL, Fault.TRUNCATE):
        response = web.StreamResponse(headers=headers)
        response.content_length = len(payload)
        await response.prepare(request)
        await response.write(payload[: len(payload) // 2])
        if fault is Fault.STALL:
            await forever()
        request.protocol.force_close()  # the declared length never arrives
        return response
    return web.Response(body=payload, headers=headers)


async def _stream(
    request: web.Request, plan: Plan, dialect: Dialect, gen: Generation, reply: text.Reply
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={**dialect.headers(gen.rid), "Content-Type": EVENT_STREAM, "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    head = dialect.stream_head(gen, reply)
    if head:
        await response.write(head)
    fault = plan.fault
    if fault is Fault.STREAM_ERROR:
        await sleep_until(plan.first_token_at)
        await response.write(dialect.error_event(gen))
        return response
    frames = [dialect.stream_piece(gen, piece) for piece in reply.pieces]
    tail = dialect.stream_tail(gen, reply)
    stalled = fault in (Fault.STALL, Fault.STALL_KEEPALIVE)
    if fault is Fault.MALFORMED:
        if frames:
            frames[0] = _cut(frames[0])
        else:
            tail = _cut(tail)
    elif stalled or fault is Fault.TRUNCATE:
        keep = min(STALL_AFTER_TOKENS, len(frames) - 1) if stalled else len(frames) // 2
        frames, tail = frames[: max(keep, 1)], b""
    if plan.itl_s == 0 or len(frames) < 2:
        await sleep_until(plan.first_token_at)
        await response.write(b"".join(frames) + tail)
    else:
        for i, frame in enumerate(frames):
            await sleep_until(plan.first_token_at + i * plan.itl_s)
            await response.write(frame)
        if tail:
            await response.write(tail)
    if fault is Fault.STALL:
        await forever()
    if fault is Fault.STALL_KEEPALIVE:
        await _keepalive(response, dialect.keepalive, plan.beat_s)
    return response  # for TRUNCATE: the body ends cleanly, the stream's terminator never came


async def _keepalive(response: web.StreamResponse, beat: bytes, interval_s: float) -> NoReturn:
    while True:
        await asyncio.sleep(interval_s)
        await response.write(beat)


def _cut(frame: bytes) -> bytes:
    """Half a frame, still terminated, so a parser receives an event whose JSON is broken."""
    body = frame.rstrip(b"\r\n")
    return body[: len(body) // 2] + b"\n\n"
