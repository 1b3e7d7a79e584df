"""OpenAI-compatible chat completions: OpenAI, DeepSeek, Groq, Mistral, OpenRouter, vLLM, Ollama, llama.cpp"""

from __future__ import annotations

from typing import Any

import httpx

from monitors.classify import has_error_payload
from monitors.probes import chat
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import Call, endpoint
from monitors.probes.reply import NOTHING, Step


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.url: the API root (…/v1) or the full endpoint. spec.options: `max_tokens_field`
    ("max_completion_tokens" for reasoning models), `stream_usage` (default true: ask for the usage
    chunk), `body` (extra request fields, e.g. {"temperature": 0}), `auth` ("api-key": Azure's header).
    """
    body: dict[str, Any] = {
        "model": spec.model,
        "messages": [{"role": "user", "content": spec.prompt}],
        spec.options.get("max_tokens_field", "max_tokens"): spec.max_tokens,
    }
    if spec.stream:
        body["stream"] = True
        if spec.options.get("stream_usage", True):
            body["stream_options"] = {"include_usage": True}
    body.update(spec.options.get("body", {}))
    call = Call(
        "POST",
        endpoint(spec.url, "/chat/completions"),
        headers={**chat.auth_headers(spec.options.get("auth") or "openai", spec.api_key), **spec.headers},
        json=body,
    )
    return await chat.probe(spec, client, chat.Dialect(call, parse_reply, read_event, terminator="[DONE]"))


def parse_reply(data: Any) -> Step:
    choices = data["choices"]
    if not isinstance(choices, list):
        raise ValueError("choices is not a list")
    message = choices[0]["message"] if choices else {}
    usage = data.get("usage") or {}
    return Step(
        text=_text(message.get("content")),
        reasoning=_text(message.get("reasoning_content") or message.get("reasoning")),
        stop=(choices[0].get("finish_reason") or "") if choices else "",
        tokens=usage.get("completion_tokens"),
        tokens_in=usage.get("prompt_tokens"),
    )


def read_event(name: str, data: Any) -> Step:
    """One `data:` chunk; role-only deltas carry no text and so are not tokens."""
    if has_error_payload(data):  # mid-stream error (OpenAI, OpenRouter)
        return Step(error=data)
    choices = data.get("choices") or []
    usage = data.get("usage") or {}
    if not choices:
        if not usage:
            return NOTHING
        return Step(tokens=usage.get("completion_tokens"), tokens_in=usage.get("prompt_tokens"))
    choice = choices[0]
    delta = choice.get("delta") or {}
    return Step(
        text=_text(delta.get("content")),
        reasoning=_text(delta.get("reasoning_content") or delta.get("reasoning")),
        stop=choice.get("finish_reason") or "",
        tokens=usage.get("completion_tokens"),
        tokens_in=usage.get("prompt_tokens"),
    )


def _text(content: Any) -> str:
    """Content is a string, or (some compatible servers) a list of parts with text."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and "text" in part)
    raise ValueError(f"content is a {type(content).__name__}, not text")
