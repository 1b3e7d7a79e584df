"""Outcome counts in a reader's words: "82% time out, 18% overloaded (503)", largest share first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitors.outcomes import SUCCESS, Outcome

# What a developer calling the API saw, in a few words each (reference/ai-providers.md §6).
WORDS: dict[str, str] = {
    Outcome.OK: "succeed",
    Outcome.SLOW: "succeed slowly",
    Outcome.RATE_LIMITED: "rate limited (429)",
    Outcome.OVERLOADED: "overloaded",
    Outcome.SERVER_ERROR: "server error (5xx)",
    Outcome.CDN_ERROR: "CDN or gateway error",
    Outcome.TIMEOUT_CONNECT: "time out connecting",
    Outcome.TIMEOUT_TTFT: "time out before the first token",
    Outcome.CONNECT_ERROR: "fail to connect",
    Outcome.STREAM_STALLED: "stall mid-stream",
    Outcome.STREAM_TRUNCATED: "end the stream early",
    Outcome.STREAM_ERROR_EVENT: "send an error mid-stream",
    Outcome.EMPTY_RESPONSE: "answer empty",
    Outcome.MALFORMED: "answer malformed",
    Outcome.CONTENT_CHECK_FAILED: "answer with the wrong content",
    Outcome.AUTH_ERROR: "refused our key (ours to fix)",
    Outcome.QUOTA_EXHAUSTED: "hit our quota (ours to fix)",
    Outcome.CLIENT_ERROR: "rejected our request (ours to fix)",
}
# Chart colours and legend order: successes first, then the failure kinds by how users feel them.
ORDER: tuple[str, ...] = tuple(WORDS)


@dataclass(frozen=True)
class Share:
    outcome: str
    count: int
    fraction: float

    @property
    def words(self) -> str:
        return WORDS.get(self.outcome, self.outcome.replace("_", " "))

    @property
    def percent(self) -> str:
        return f"{round(self.fraction * 100)}%"


def shares(outcomes: Mapping[str, int], *, failures_only: bool = False) -> list[Share]:
    """Each outcome's share of all probes, largest first (ties in ORDER); failures only on request."""
    total = sum(outcomes.values())
    if total <= 0:
        return []
    rank = {name: i for i, name in enumerate(ORDER)}
    found = [
        Share(outcome, count, count / total)
        for outcome, count in outcomes.items()
        if count > 0 and not (failures_only and outcome in SUCCESS)
    ]
    return sorted(found, key=lambda s: (-s.count, rank.get(s.outcome, len(rank)), s.outcome))


def sentence(outcomes: Mapping[str, int]) -> str:
    """E.g. "82% time out before the first token, 18% overloaded"; empty when nothing failed."""
    failing = shares(outcomes, failures_only=True)
    if not failing:
        return ""
    parts = [f"{s.percent} {s.words}" for s in failing]
    succeeded = sum(n for o, n in outcomes.items() if o in SUCCESS)
    if succeeded:
        parts.append(f"{round(succeeded / sum(outcomes.values()) * 100)}% succeed")
    return ", ".join(parts)
