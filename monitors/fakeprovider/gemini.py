"""Google Gemini generateContent as generativelanguage.googleapis.com speaks it (v1beta, alt=sse)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitors.fakeprovider.dialect import Dialect, ErrorReply, Generation, dumps, prompt_text
from monitors.fakeprovider.faults import Fault
from monitors.fakeprovider.text import Reply, count_tokens

_MODELS = (
    ("gemini-2.5-flash", "Gemini 2.5 Flash", 65536),
    ("gemini-2.5-pro", "Gemini 2.5 Pro", 65536),
    ("gemini-2.0-flash", "Gemini 2.0 Flash", 8192),
)
_KEY_INVALID_DETAILS = [
    {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"},
    }
]
_QUOTA_DETAILS = [
    {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [
            {
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            }
        ],
    },
    {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [
            {
                "description": "Learn more about Gemini API quotas",
                "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
            }
        ],
    },
]
_OVERLOADED = (503, "The model is overloaded. Please try again later.", "UNAVAILABLE")
# (status, message, status string, details, extra headers)
_ERRORS: dict[Fault, tuple[int, str, str, list[Any] | None, dict[str, str]]] = {
    Fault.RATE_LIMITED: (
        429,
        "Resource has been exhausted (e.g. check quota).",
        "RESOURCE_EXHAUSTED",
        None,
        {"Retry-After": "1"},
    ),
    Fault.OVERLOADED: (*_OVERLOADED, None, {}),
    Fault.SERVER_ERROR: (
        500,
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
        "INTERNAL",
        None,
        {},
    ),
    # Gemini answers a bad key with 400, not 401.
    Fault.AUTH: (
        400,
        "API key not valid. Please pass a valid API key.",
        "INVALID_ARGUMENT",
        _KEY_INVALID_DETAILS,
        {},
    ),
    Fault.QUOTA: (
        429,
        "You exceeded your current quota, please check your plan and billing details. For more information "
        "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        "RESOURCE_EXHAUSTED",
        _QUOTA_DETAILS,
        {},
    ),
    Fault.CLIENT_ERROR: (
        400,
        'Invalid JSON payload received. Unknown name "max_tokens": Cannot find field.',
        "INVALID_ARGUMENT",
        None,
        {},
    ),
}


def _error(status: int, message: str, code: str, details: list[Any] | None = None) -> ErrorReply:
    error: dict[str, Any] = {"code": status, "message": message, "status": code}
    if details:
        error["details"] = details
    return ErrorReply(status, dumps({"error": error}))


def _sse(data: Any) -> bytes:
    # Google ends each frame with CRLF CRLF; SSE parsers must accept either line ending.
    return b"data: " + dumps(data) + b"\r\n\r\n"


class Gemini(Dialect):
    kind = "gemini"
    host = "generativelanguage.googleapis.com"
    api_prefix = "/v1beta"
    generate_paths = ("/v1beta/models/{target}",)
    models_paths = ("/v1beta/models",)

    def __init__(self) -> None:
        methods = ["generateContent", "countTokens", "streamGenerateContent"]
        models = [
            {
                "name": f"models/{model}",
                "version": "001",
                "displayName": display,
                "description": f"Fake {display}",
                "inputTokenLimit": 1048576,
                "outputTokenLimit": output,
                "supportedGenerationMethods": methods,
            }
            for model, display, output in _MODELS
        ]
        self._models = dumps({"models": models})

    def headers(self, rid: str) -> dict[str, str]:
        return {"Server": "scaffolding on HTTPServer2", "Vary": "Origin, X-Origin, Referer"}

    def authenticate(self, request: web.Request, api_key: str, rid: str) -> ErrorReply | None:
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not key:
            return _error(
                403,
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API.",
                "PERMISSION_DENIED",
            )
        if key != api_key:
            return self.error(Fault.AUTH, rid)
        return None

    def error(self, fault: Fault, rid: str) -> ErrorReply:
        status, message, code, details, headers = _ERRORS[fault]
        return ErrorReply(status, _error(status, message, code, details).body, headers)

    def invalid_request(self, message: str, rid: str) -> ErrorReply:
        return _error(400, message, "INVALID_ARGUMENT")

    def parse(self, request: web.Request, body: Any, rid: str) -> Generation | ErrorReply:
        model, _, method = request.match_info["target"].partition(":")
        if method not in ("generateContent", "streamGenerateContent"):
            return _error(404, f"Method {method!r} is not found for models/{model}.", "NOT_FOUND")
        stream = method == "streamGenerateContent"
        if stream and request.query.get("alt") != "sse":
            # The JSON-array stream (no alt=sse) is not imitated; probes use SSE.
            return self.invalid_request("fake provider: streamGenerateContent needs alt=sse", rid)
        if not isinstance(body, dict):
            return self.invalid_request("Invalid JSON payload received.", rid)
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return self.invalid_request("* GenerateContentRequest.contents: contents is not specified\n", rid)
        config = body.get("generationConfig") or {}
        limit = config.get("maxOutputTokens") if isinstance(config, dict) else None
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            return self.invalid_request(
                "* GenerateContentRequest.generation_config.max_output_tokens: must be positive\n", rid
            )
        text = " ".join(prompt_text(c.get("parts")) for c in contents if isinstance(c, dict))
        return Generation(
            rid=rid, model=model, stream=stream, prompt_tokens=count_tokens(text), max_tokens=limit
        )

    def _response(self, gen: Generation, candidate: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
        return {
            "candidates": [{**candidate, "index": 0}],
            "usageMetadata": usage,
            "modelVersion": gen.model,
            "responseId": gen.rid,
        }

    def _final(self, gen: Generation, reply: Reply, parts: list[dict[str, str]]) -> dict[str, Any]:
        content: dict[str, Any] = {"role": "model"} if reply.hollow else {"parts": parts, "role": "model"}
        usage = {
            "promptTokenCount": gen.prompt_tokens,
            "candidatesTokenCount": reply.tokens,
            "totalTokenCount": gen.prompt_tokens + reply.tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": gen.prompt_tokens}],
        }
        finish = "STOP" if reply.finished else "MAX_TOKENS"
        return self._response(gen, {"content": content, "finishReason": finish}, usage)

    def completion(self, gen: Generation, reply: Reply) -> bytes:
        return dumps(self._final(gen, reply, [{"text": reply.text}]))

    def stream_head(self, gen: Generation, reply: Reply) -> bytes:
        return b""  # Gemini's first frame already carries text.

    def stream_piece(self, gen: Generation, text: str) -> bytes:
        usage = {"promptTokenCount": gen.prompt_tokens, "totalTokenCount": gen.prompt_tokens}
        return _sse(self._response(gen, {"content": {"parts": [{"text": text}], "role": "model"}}, usage))

    def stream_tail(self, gen: Generation, reply: Reply) -> bytes:
        # No sentinel: the body just ends after the frame that carries finishReason.
        return _sse(self._final(gen, reply, [{"text": ""}]))

    def error_event(self, gen: Generation) -> bytes:
        return b"data: " + self.error_body(gen) + b"\r\n\r\n"

    def error_body(self, gen: Generation) -> bytes:
        return _error(*_OVERLOADED).body

    def models(self) -> bytes:
        return self._models
