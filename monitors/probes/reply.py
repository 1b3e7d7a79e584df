"""A reply as the chat kinds read it (a whole body or one stream event) and the checks on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monitors.classify import Verdict
from monitors.outcomes import Outcome
from monitors.probes.base import ProbeSpec

# A stop for lack of budget: a reasoning model may spend a 1-token budget thinking and say nothing.
BUDGET_STOPS = frozenset({"length", "max_tokens"})


@dataclass(frozen=True, slots=True)
class Step:
    """What one stream event, or a whole reply, carries."""

    text: str = ""  # generated answer text
    reasoning: str = ""  # thinking text: progress, but not the answer
    stop: str = ""  # finish/stop reason, once given
    tokens: int | None = None  # output tokens per the provider's usage
    tokens_in: int | None = None  # input (prompt) tokens per the provider's usage: what a probe costs
    done: bool = False  # the stream's terminal event
    error: Any = None  # an error payload inside a 2xx


NOTHING = Step()
DONE = Step(done=True)
ReadEvent = Callable[[str, Any], Step]  # (SSE event name, parsed JSON data) -> Step


def conclude(spec: ProbeSpec, text: str, stop: str) -> Verdict:
    """A complete reply: empty, missing the expected text, or fine (`slow` is decided later).

    A reply that finished of its own accord with nothing but whitespace said nothing: empty. At a
    budget stop (a 1-token probe) whitespace or nothing is still the start of an answer.
    """
    if not text.strip() and stop.lower() not in BUDGET_STOPS:
        return Verdict(Outcome.EMPTY_RESPONSE, "empty", f"empty reply (stop reason {stop or 'none'!r})")
    if spec.expect_text and spec.expect_text.lower() not in text.lower():
        shown = text if len(text) <= 60 else text[:59] + "…"
        return Verdict(
            Outcome.CONTENT_CHECK_FAILED,
            "content_check",
            f"reply ({json.dumps(shown)}) contains {json.dumps(spec.expect_text)}",
        )
    return Verdict(Outcome.OK)
