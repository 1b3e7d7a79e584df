"""The probe kinds, in one registry: a new kind is one module with `run` and one line here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from monitors.probes import anthropic, gemini, http, models, openai, upstream
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import misconfigured

Probe = Callable[[ProbeSpec, httpx.AsyncClient], Awaitable[Observation]]

KINDS: dict[str, Probe] = {
    "openai": openai.run,
    "anthropic": anthropic.run,
    "gemini": gemini.run,
    "models": models.run,
    "http": http.run,
    "upstream": upstream.run,
}


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    probe = KINDS.get(spec.kind)
    if probe is None:
        return misconfigured(spec, f"unknown probe kind {spec.kind!r}; known: {', '.join(KINDS)}")
    return await probe(spec, client)
