"""Anthropic Messages as api.anthropic.com speaks it: named SSE events, error envelope, 529s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from monitors.fakeprovider.dialect import Dialect, ErrorReply, Generation, dumps, prompt_text, sse
from monitors.fakeprovider.edge import cloudflare_headers
from monitors.fakeprovider.faults import Fault
from monitors.fakeprovider.text import Reply, count_tokens

_MODELS = (
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
)
_RATE_LIMITED = (
    "Number of request tokens has exceeded your per-minute rate limit "
    "(https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage. "
    "Please reduce the prompt length or the maximum tokens requested, or try again later."
)
# (status, error.type, message, extra error fields, extra headers)
_ERRORS: dict[Fault, tuple[int, str, str, dict[str, Any], dict[str, str]]] = {
    Fault.RATE_LIMITED: (
        429,
        "rate_limit_error",
        _RATE_LIMITED,
        {},
        {"retry-after": "1", "anthropic-ratelimit-requests-remaining": "0"},
    ),
    Fault.OVERLOADED: (529, "overloaded_error", "Overloaded", {}, {}),
    Fault.SERVER_ERROR: (500, "api_error", "Internal server error", {}, {}),
    Fault.AUTH: (401, "authentication_error", "invalid x-api-key", {}, {}),
    # A spend cap, not throttling: no retry-after, and the SDK raises EnforcedSpendLimitReachedError.
    Fault.QUOTA: (
        429,
        "rate_limit_error",
        "You have reached your specified API usage limits. You will regain access on the 1st of next month "
        "at 00:00 UTC.",
        {"details": {"error_code": "enforced_spend_limit_reached"}},
        {},
    ),
    Fault.CLIENT_ERROR: (
        400,
        "invalid_request_error",
        "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for "
        "claude-haiku-4-5-20251001",
        {},
        {},
    ),
}
_OVERLOADED = {"type": "overloaded_error", "message": "Overloaded"}
_PING = sse({"type": "ping"}, "ping")


class Anthropic(Dialect):
    kind = "anthropic"
    host = "api.anthropic.com"
    api_prefix = ""  # the SDK adds /v1 itself
    generate_paths = ("/v1/messages",)
    models_paths = ("/v1/models",)
    keepalive = _PING

    def __init__(self) -> None:
        data = [{"type": "model", "id": i, "display_name": n, "created_at": c} for i, n, c in _MODELS]
        self._models = dumps(
            {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
        )

    def headers(self, rid: str) -> dict[str, str]:
        reset = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "request-id": f"req_{rid}",
            "anthropic-organization-id": "00000000-0000-4000-8000-fa4e00000000",
            "anthropic-ratelimit-requests-limit": "4000",
            "anthropic-ratelimit-requests-remaining": "3999",
            "anthropic-ratelimit-requests-reset": reset,
            "anthropic-ratelimit-tokens-limit": "2000000",
            "anthropic-ratelimit-tokens-remaining": "1999990",
            "anthropic-ratelimit-tokens-reset": reset,
            **cloudflare_headers(),
        }

    def _error(self, status: int, type_: str, message: str, rid: str, **extra: Any) -> ErrorReply:
        body = {
            "type": "error",
            "error": {"type": type_, "message": message, **extra},
            "request_id": f"req_{rid}",
        }
        return ErrorReply(status, dumps(body))

    def authenticate(self, request: web.Request, api_key: str, rid: str) -> ErrorReply | None:
        # Recent SDKs send the key as a bearer token; curl examples and older SDKs use x-api-key.
        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        key = request.headers.get("x-api-key") or (bearer.strip() if scheme.lower() == "bearer" else "")
        if not key:
            return self._error(401, "authentication_error", "x-api-key header is required", rid)
        if key != api_key:
            return self._error(401, "authentication_error", "invalid x-api-key", rid)
        if not request.headers.get("anthropic-version"):
            return self.invalid_request("anthropic-version: header is required", rid)
        return None

    def error(self, fault: Fault, rid: str) -> ErrorReply:
        status, type_, message, extra, headers = _ERRORS[fault]
        reply = self._error(status, type_, message, rid, **extra)
        return ErrorReply(reply.status, reply.body, headers)

    def invalid_request(self, message: str, rid: str) -> ErrorReply:
        return self._error(400, "invalid_request_error", message, rid)

    def parse(self, request: web.Request, body: Any, rid: str) -> Generation | ErrorReply:
        if not isinstance(body, dict):
            return self.invalid_request("There was an issue with the request body: not a JSON object", rid)
        for name, kind in (("model", str), ("max_tokens", int), ("messages", list)):
            if name not in body:
                return self.invalid_request(f"{name}: Field required", rid)
            if not isinstance(body[name], kind) or isinstance(body[name], bool):
                return self.invalid_request(f"{name}: Input should be a valid {kind.__name__}", rid)
        if body["max_tokens"] < 1:
            return self.invalid_request("max_tokens: Input should be greater than or equal to 1", rid)
        messages = body["messages"]
        text = " ".join(prompt_text(m.get("content")) for m in messages if isinstance(m, dict))
        system = prompt_text(body.get("system"))
        return Generation(
            rid=rid,
            model=body["model"],
            stream=body.get("stream") is True,
            prompt_tokens=count_tokens(f"{system} {text}") + 3 * len(messages),
            max_tokens=body["max_tokens"],
        )

    def _message(self, gen: Generation, content: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        return {
            "id": f"msg_01{gen.rid}",
            "type": "message",
            "role": "assistant",
            "model": gen.model,
            "content": content,
            **fields,
        }

    def _usage(self, gen: Generation, output_tokens: int) -> dict[str, Any]:
        return {
            "input_tokens": gen.prompt_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }

    def completion(self, gen: Generation, reply: Reply) -> bytes:
        content = [] if reply.hollow else [{"type": "text", "text": reply.text}]
        return dumps(
            self._message(
                gen,
                content,
                stop_reason=_stop_reason(reply),
                stop_sequence=None,
                usage=self._usage(gen, reply.tokens),
            )
        )

    def stream_head(self, gen: Generation, reply: Reply) -> bytes:
        message = self._message(gen, [], stop_reason=None, stop_sequence=None, usage=self._usage(gen, 1))
        head = sse({"type": "message_start", "message": message}, "message_start")
        if not reply.hollow:
            block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
            head += sse(block, "content_block_start")
        return head + _PING

    def stream_piece(self, gen: Generation, text: str) -> bytes:
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
        return sse(delta, "content_block_delta")

    def stream_tail(self, gen: Generation, reply: Reply) -> bytes:
        tail = b"" if reply.hollow else sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": _stop_reason(reply), "stop_sequence": None},
            "usage": {"output_tokens": reply.tokens},
        }
        return tail + sse(delta, "message_delta") + sse({"type": "message_stop"}, "message_stop")

    def error_event(self, gen: Generation) -> bytes:
        return sse({"type": "error", "error": _OVERLOADED}, "error")

    def error_body(self, gen: Generation) -> bytes:
        return dumps({"type": "error", "error": _OVERLOADED, "request_id": f"req_{gen.rid}"})

    def models(self) -> bytes:
        return self._models


def _stop_reason(reply: Reply) -> str:
    return "end_turn" if reply.finished else "max_tokens"
