"""OpenAI Chat Completions as api.openai.com speaks it: bodies, SSE chunks, errors, headers."""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from monitors.fakeprovider.dialect import Dialect, ErrorReply, Generation, dumps, prompt_text, sse
from monitors.fakeprovider.edge import cloudflare_headers
from monitors.fakeprovider.faults import Fault
from monitors.fakeprovider.text import Reply, count_tokens

_KEYS_URL = "https://platform.openai.com/account/api-keys"
_RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "30000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "29999990",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "0s",
}
_THROTTLED_HEADERS = {
    **_RATE_LIMIT_HEADERS,
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "1s",
    "retry-after": "1",
}


def error_json(message: str, type_: str, code: str | None = None, param: str | None = None) -> bytes:
    return dumps({"error": {"message": message, "type": type_, "param": param, "code": code}})


class OpenAI(Dialect):
    kind = "openai"
    host = "api.openai.com"
    api_prefix = "/v1"
    # DeepSeek also serves these without the /v1 prefix; harmless to accept everywhere.
    generate_paths = ("/v1/chat/completions", "/chat/completions")
    models_paths = ("/v1/models", "/models")
    model_ids: ClassVar[tuple[str, ...]] = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o3-mini")
    owned_by: ClassVar[str] = "openai"
    errors: ClassVar[dict[Fault, ErrorReply]] = {
        Fault.RATE_LIMITED: ErrorReply(
            429,
            error_json(
                "Rate limit reached for gpt-4o-mini in organization org-fakeprovider on requests per min "
                "(RPM): Limit 10000, Used 10000, Requested 1. Please try again in 6ms. "
                "Visit https://platform.openai.com/account/rate-limits to learn more.",
                "requests",
                "rate_limit_exceeded",
            ),
            _THROTTLED_HEADERS,
        ),
        Fault.OVERLOADED: ErrorReply(
            503,
            error_json("Model temporarily overloaded", "service_unavailable_error", "server_is_overloaded"),
        ),
        Fault.SERVER_ERROR: ErrorReply(
            500,
            error_json(
                "The server had an error while processing your request. Sorry about that!", "server_error"
            ),
        ),
        Fault.AUTH: ErrorReply(
            401,
            error_json(
                f"Incorrect API key provided: sk-fake****. You can find your API key at {_KEYS_URL}.",
                "invalid_request_error",
                "invalid_api_key",
            ),
        ),
        Fault.QUOTA: ErrorReply(
            429,
            error_json(
                "You exceeded your current quota, please check your plan and billing details. For more "
                "information on this error, read the docs: "
                "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                "insufficient_quota",
                "insufficient_quota",
            ),
        ),
        Fault.CLIENT_ERROR: ErrorReply(
            400,
            error_json(
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "invalid_request_error",
                "unsupported_parameter",
                "max_tokens",
            ),
        ),
    }
    in_stream_error: ClassVar[bytes] = error_json(
        "The server had an error while processing your request. Sorry about that!", "server_error"
    )

    def __init__(self) -> None:
        self._models = dumps(
            {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 1686935002, "owned_by": self.owned_by}
                    for m in self.model_ids
                ],
            }
        )

    def headers(self, rid: str) -> dict[str, str]:
        return {
            "x-request-id": f"req_{rid}",
            "openai-version": "2020-10-01",
            "openai-organization": "user-fakeprovider",
            **_RATE_LIMIT_HEADERS,
            **cloudflare_headers(),
        }

    def authenticate(self, request: web.Request, api_key: str, rid: str) -> ErrorReply | None:
        auth = request.headers.get("Authorization", "")
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return ErrorReply(401, self.missing_key_body())
        if key.strip() != api_key:
            return ErrorReply(401, self.wrong_key_body(key.strip()))
        return None

    def missing_key_body(self) -> bytes:
        return error_json(
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank "
            "username) if you're accessing the API from your browser and are prompted for a username and "
            f"password. You can obtain an API key from {_KEYS_URL}.",
            "invalid_request_error",
        )

    def wrong_key_body(self, key: str) -> bytes:
        return error_json(
            f"Incorrect API key provided: {_mask(key)}. You can find your API key at {_KEYS_URL}.",
            "invalid_request_error",
            "invalid_api_key",
        )

    def error(self, fault: Fault, rid: str) -> ErrorReply:
        return self.errors[fault]

    def invalid_request(self, message: str, rid: str) -> ErrorReply:
        return ErrorReply(400, error_json(message, "invalid_request_error"))

    def parse(self, request: web.Request, body: Any, rid: str) -> Generation | ErrorReply:
        if not isinstance(body, dict):
            return self.invalid_request("We could not parse the JSON body of your request.", rid)
        if not isinstance(body.get("model"), str) or not body["model"]:
            return self.invalid_request("you must provide a model parameter", rid)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return ErrorReply(
                400,
                error_json(
                    "Missing required parameter: 'messages'.",
                    "invalid_request_error",
                    "missing_required_parameter",
                    "messages",
                ),
            )
        name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
        limit = body.get(name)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            return ErrorReply(
                400,
                error_json(
                    f"Invalid '{name}': integer below minimum value. Expected a value >= 1, "
                    f"but got {limit!r} instead.",
                    "invalid_request_error",
                    "integer_below_min_value",
                    name,
                ),
            )
        text = " ".join(prompt_text(m.get("content")) for m in messages if isinstance(m, dict))
        options = body.get("stream_options")
        return Generation(
            rid=rid,
            model=body["model"],
            stream=body.get("stream") is True,
            prompt_tokens=count_tokens(text) + 7 * len(messages),
            max_tokens=limit,
            include_usage=isinstance(options, dict) and options.get("include_usage") is True,
        )

    def usage(self, gen: Generation, reply: Reply) -> dict[str, Any]:
        return {
            "prompt_tokens": gen.prompt_tokens,
            "completion_tokens": reply.tokens,
            "total_tokens": gen.prompt_tokens + reply.tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def completion(self, gen: Generation, reply: Reply) -> bytes:
        choices = [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text, "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": _finish(reply),
            }
        ]
        return dumps(
            {
                "id": f"chatcmpl-{gen.rid}",
                "object": "chat.completion",
                "created": gen.created,
                "model": gen.model,
                "choices": [] if reply.hollow else choices,
                "usage": self.usage(gen, reply),
                "service_tier": "default",
                "system_fingerprint": "fp_fakeprovider",
            }
        )

    def _chunk(self, gen: Generation, choices: list[dict[str, Any]], **extra: Any) -> bytes:
        chunk = {
            "id": f"chatcmpl-{gen.rid}",
            "object": "chat.completion.chunk",
            "created": gen.created,
            "model": gen.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fakeprovider",
            "choices": choices,
        }
        if gen.include_usage:
            chunk["usage"] = None
        chunk.update(extra)
        return sse(chunk)

    def stream_head(self, gen: Generation, reply: Reply) -> bytes:
        delta = {"role": "assistant", "content": "", "refusal": None}
        return self._chunk(gen, [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}])

    def stream_piece(self, gen: Generation, text: str) -> bytes:
        return self._chunk(
            gen, [{"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": None}]
        )

    def stream_tail(self, gen: Generation, reply: Reply) -> bytes:
        tail = self._chunk(
            gen, [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": _finish(reply)}]
        )
        if gen.include_usage:
            tail += self._chunk(gen, [], usage=self.usage(gen, reply))
        return tail + b"data: [DONE]\n\n"

    def error_event(self, gen: Generation) -> bytes:
        return b"data: " + self.in_stream_error + b"\n\n"

    def error_body(self, gen: Generation) -> bytes:
        return self.in_stream_error

    def models(self) -> bytes:
        return self._models


def _finish(reply: Reply) -> str:
    return "stop" if reply.finished else "length"


def _mask(key: str) -> str:
    return f"{key[:3]}{'*' * max(len(key) - 7, 1)}{key[-4:]}" if len(key) > 8 else "*" * len(key)
