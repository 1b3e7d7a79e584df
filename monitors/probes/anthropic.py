"""Anthropic messages, whole or streamed (named events, pings, `event: error` inside a 200)."""

from __future__ import annotations

from typing import Any

import httpx

from monitors.probes import chat
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import Call, endpoint
from monitors.probes.reply import DONE, NOTHING, Step

API_VERSION = "2023-06-01"


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.url: the origin (https://api.anthropic.com) or the full endpoint. spec.options:
    `anthropic_version` (default 2023-06-01), `body` (extra request fields).
    """
    body: dict[str, Any] = {
        "model": spec.model,
        "max_tokens": spec.max_tokens,
        "messages": [{"role": "user", "content": spec.prompt}],
    }
    if spec.stream:
        body["stream"] = True
    body.update(spec.options.get("body", {}))
    headers = {
        "anthropic-version": spec.options.get("anthropic_version", API_VERSION),
        **chat.auth_headers("anthropic", spec.api_key),
        **spec.headers,
    }
    call = Call("POST", endpoint(spec.url, "/v1/messages"), headers=headers, json=body)
    return await chat.probe(spec, client, chat.Dialect(call, parse_reply, read_event))


def parse_reply(data: Any) -> Step:
    if data.get("type") != "message" or not isinstance(data.get("content"), list):
        raise ValueError(f"expected a message with a content list, got type {data.get('type')!r}")
    blocks = [b for b in data["content"] if isinstance(b, dict)]
    return Step(
        text="".join(b.get("text", "") for b in blocks if b.get("type") == "text"),
        reasoning="".join(b.get("thinking", "") for b in blocks if b.get("type") == "thinking"),
        stop=data.get("stop_reason") or "",
        tokens=(data.get("usage") or {}).get("output_tokens"),
        tokens_in=(data.get("usage") or {}).get("input_tokens"),
    )


def read_event(name: str, data: Any) -> Step:
    kind = data.get("type") or name
    if kind == "error":
        return Step(error=data)
    if kind == "content_block_delta":
        delta = data["delta"]
        return Step(text=delta.get("text", ""), reasoning=delta.get("thinking", ""))
    if kind == "message_delta":  # usage here is cumulative; message_start's output_tokens is a placeholder
        usage = data.get("usage") or {}
        return Step(stop=data["delta"].get("stop_reason") or "", tokens=usage.get("output_tokens"))
    if kind == "message_stop":
        return DONE
    if kind == "message_start":  # its input_tokens are final; its output_tokens a placeholder
        return Step(tokens_in=((data.get("message") or {}).get("usage") or {}).get("input_tokens"))
    return NOTHING  # message_start, content_block_start/stop, ping
