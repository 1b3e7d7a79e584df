"""The probe kinds, in one registry: a new kind is one module with `run` and one line here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from monitors.probes.base import Observation, ProbeSpec, misconfigured

if TYPE_CHECKING:
    import httpx

# Module names, imported on first use: the web process imports ProbeSpec from this package and must
# not load the HTTP client stack that only the probe workers use.
KINDS: dict[str, str] = {
    "openai": "monitors.probes.openai",
    "anthropic": "monitors.probes.anthropic",
    "gemini": "monitors.probes.gemini",
    "models": "monitors.probes.model_list",
    "http": "monitors.probes.http",
    "upstream": "monitors.probes.upstream",
}


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """Each kind's module has `async def run(spec, client) -> Observation`."""
    if spec.refused:
        return misconfigured(spec, spec.refused)
    module = KINDS.get(spec.kind)
    if module is None:
        return misconfigured(spec, f"unknown probe kind {spec.kind!r}; known: {', '.join(KINDS)}")
    return await importlib.import_module(module).run(spec, client)
