"""The contract between the engine and the probe kinds: what to probe in, what was measured out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitors.outcomes import Outcome


@dataclass(frozen=True)
class ProbeSpec:
    """Everything a probe needs, resolved from a Monitor row; no database access past this point.

    `api_key` is resolved from the environment variable the monitor names, never stored on the row.
    """

    monitor_id: int
    kind: str
    url: str
    model: str = ""
    stream: bool = False
    api_key: str = ""
    timeout_s: float = 30.0  # hard deadline for the whole probe
    connect_timeout_s: float = 5.0
    ttft_timeout_s: float = 20.0  # no first token by then: timeout_ttft
    stall_timeout_s: float = 10.0  # no real token for this long after the first: stream_stalled
    slow_ttft_ms: float | None = None  # success above this is `slow`
    slow_total_ms: float | None = None
    max_tokens: int = 1
    prompt: str = "ping"
    expect_text: str = ""  # content check: reply must contain this (case-insensitive)
    headers: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # kind-specific (conditions, paths...)
    not_before: float | None = None  # Unix seconds: the engine starts the probe no earlier (its due time)
    refused: str = ""  # why the row cannot be probed as it stands (e.g. a key variable we refuse to send)


@dataclass
class Observation:
    """What one probe measured. Times are milliseconds from just before the request was sent."""

    monitor_id: int
    outcome: Outcome
    started_at: datetime
    http_status: int | None = None
    error_type: str = ""  # provider's error type/code, or the exception class for transport errors
    message: str = ""  # short, redacted human reason, e.g. "status (500) == 200"
    connect_ms: float | None = None
    ttfb_ms: float | None = None  # status line and headers received
    ttft_ms: float | None = None  # first event carrying generated text
    total_ms: float | None = None
    tokens_out: int | None = None
    tokens_estimated: bool = False  # counted chunks instead of provider usage
    tokens_per_s: float | None = None  # (tokens_out - 1) / (t_last - t_first)
    itl_max_ms: float | None = None  # longest gap between real tokens
    region: str = ""
    details: dict[str, Any] = field(default_factory=dict)  # kind-specific extras (upstream status...)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["outcome"] = str(self.outcome)
        data["started_at"] = self.started_at.isoformat()
        return data


def misconfigured(spec: ProbeSpec, message: str) -> Observation:
    """A monitor whose options cannot work: ours to fix, so client_error, and nothing is sent."""
    return Observation(
        spec.monitor_id, Outcome.CLIENT_ERROR, datetime.now(UTC), error_type="bad_options", message=message
    )
