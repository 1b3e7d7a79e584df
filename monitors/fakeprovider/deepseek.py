"""DeepSeek: OpenAI-compatible, with its own models, usage fields and error bodies (402 for no balance)."""

from __future__ import annotations

from typing import Any, ClassVar

from monitors.fakeprovider.dialect import ErrorReply, Generation
from monitors.fakeprovider.faults import Fault
from monitors.fakeprovider.openai import OpenAI, error_json
from monitors.fakeprovider.text import Reply


class DeepSeek(OpenAI):
    kind = "deepseek"
    host = "api.deepseek.com"
    model_ids = ("deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash", "deepseek-v4-pro")
    owned_by = "deepseek"
    # DeepSeek documents statuses, not bodies: 500 and 503 reuse OpenAI's, the rest use its messages.
    errors: ClassVar[dict[Fault, ErrorReply]] = {
        **OpenAI.errors,
        Fault.RATE_LIMITED: ErrorReply(
            429,
            error_json("Rate Limit Reached", "rate_limit_error", "rate_limit_exceeded"),
            {"retry-after": "1"},
        ),
        Fault.AUTH: ErrorReply(
            401,
            error_json(
                "Authentication Fails, Your api key: ****fake is invalid",
                "authentication_error",
                "invalid_request_error",
            ),
        ),
        Fault.QUOTA: ErrorReply(
            402, error_json("Insufficient Balance", "unknown_error", "invalid_request_error")
        ),
    }

    def headers(self, rid: str) -> dict[str, str]:
        # DeepSeek documents no rate-limit or request-id headers.
        return {}

    def wrong_key_body(self, key: str) -> bytes:
        return error_json(
            f"Authentication Fails, Your api key: ****{key[-4:]} is invalid",
            "authentication_error",
            "invalid_request_error",
        )

    def usage(self, gen: Generation, reply: Reply) -> dict[str, Any]:
        return {
            **super().usage(gen, reply),
            "prompt_cache_hit_tokens": 0,
            "prompt_cache_miss_tokens": gen.prompt_tokens,
        }
