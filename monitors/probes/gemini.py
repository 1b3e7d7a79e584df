"""Gemini generateContent, whole or streamed (streamGenerateContent?alt=sse ends without a sentinel)."""

from __future__ import annotations

from typing import Any

import httpx

from monitors.classify import has_error_payload
from monitors.probes import chat
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import Call, endpoint
from monitors.probes.reply import Step


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.url: the API root (…/v1beta) or a full endpoint. spec.options: `body` (extra request fields,
    e.g. {"generationConfig": {...}}, which replaces ours). The key travels in x-goog-api-key, never in
    the query string, so it cannot leak through a logged URL.
    """
    body: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": spec.prompt}]}],
        "generationConfig": {"maxOutputTokens": spec.max_tokens},
    }
    body.update(spec.options.get("body", {}))
    method = "streamGenerateContent?alt=sse" if spec.stream else "generateContent"
    base = spec.url.split("/models/")[0]  # the API root, even when given a full endpoint
    call = Call(
        "POST",
        endpoint(base, f"/models/{spec.model}:{method}"),
        headers={**chat.auth_headers("gemini", spec.api_key), **spec.headers},
        json=body,
    )
    return await chat.probe(spec, client, chat.Dialect(call, read_response, read_event))


def read_response(data: Any) -> Step:
    """A whole reply and a stream chunk share one shape: GenerateContentResponse."""
    candidates = data.get("candidates")
    if candidates is None and "promptFeedback" not in data and "usageMetadata" not in data:
        raise ValueError("no candidates, promptFeedback or usageMetadata")
    candidate = candidates[0] if candidates else {}
    parts = [p for p in (candidate.get("content") or {}).get("parts") or [] if isinstance(p, dict)]
    return Step(
        text="".join(p.get("text", "") for p in parts if not p.get("thought")),
        reasoning="".join(p.get("text", "") for p in parts if p.get("thought")),
        stop=candidate.get("finishReason") or "",
        tokens=(data.get("usageMetadata") or {}).get("candidatesTokenCount"),
        tokens_in=(data.get("usageMetadata") or {}).get("promptTokenCount"),
    )


def read_event(name: str, data: Any) -> Step:
    if has_error_payload(data):
        return Step(error=data)
    return read_response(data)
