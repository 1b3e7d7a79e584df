"""Fault names, a provider's standing behaviour, and the per-request plan resolved from both."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Fault(StrEnum):
    OK = "ok"
    # At the edge, before authentication: what a CDN or a dying server does.
    HANG = "hang"
    RESET = "reset"
    SLOWLORIS = "slowloris"
    BAD_GATEWAY_HTML = "bad_gateway_html"
    CDN_520_EMPTY = "cdn_520_empty"
    REFUSE = "refuse"  # control API only: the provider's port stops listening
    # Error statuses in the provider's own error body.
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    AUTH = "auth"
    QUOTA = "quota"
    CLIENT_ERROR = "client_error"
    # A 200 whose content is wrong.
    EMPTY = "empty"
    WRONG_ANSWER = "wrong_answer"
    HUGE = "huge"
    # A 200 whose delivery goes wrong.
    MALFORMED = "malformed"
    TRUNCATE = "truncate"
    STALL = "stall"
    STALL_KEEPALIVE = "stall_keepalive"
    STREAM_ERROR = "stream_error"


EDGE = frozenset({Fault.HANG, Fault.RESET, Fault.SLOWLORIS, Fault.BAD_GATEWAY_HTML, Fault.CDN_520_EMPTY})
STATUS = frozenset(
    {Fault.RATE_LIMITED, Fault.OVERLOADED, Fault.SERVER_ERROR, Fault.AUTH, Fault.QUOTA, Fault.CLIENT_ERROR}
)
UPSTREAM_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)


class BadSetting(ValueError):
    """A control-API body or X-Fake-* header the fake provider cannot honour."""


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a provider does until told otherwise; set through the control API.

    `refuse` closes the port outright, so its error_rate is ignored.
    """

    fault: Fault = Fault.OK
    error_rate: float = 1.0  # share of requests the fault applies to
    latency_ms: float = 0.0  # before the status line and headers
    ttft_ms: float = 0.0  # after headers, before the first content token
    itl_ms: float = 0.0  # between streamed tokens
    tokens: int | None = None  # tokens to generate, overriding max_tokens
    upstream_status: str = "operational"  # what the provider's own status page claims

    @classmethod
    def from_json(cls, data: Mapping[str, Any], base: Behaviour | None = None) -> Behaviour:
        """Fields absent from `data` keep their value in `base` (defaults when None); junk is refused."""
        if not isinstance(data, Mapping):
            raise BadSetting("expected a JSON object")
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)} - {"seed"}
        if unknown:
            raise BadSetting(f"unknown field(s): {', '.join(sorted(unknown))}")
        values = dataclasses.asdict(base or cls())
        for name, value in data.items():
            if name != "seed":
                values[name] = _PARSERS[name](value)
        return cls(**values)

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "fault": self.fault.value}

    def healed(self) -> Behaviour:
        """Healthy again; the upstream page keeps claiming whatever it claimed."""
        return Behaviour(upstream_status=self.upstream_status)


def parse_fault(value: object) -> Fault:
    try:
        return Fault(value)
    except ValueError:
        raise BadSetting(f"unknown fault {value!r}; known: {', '.join(Fault)}") from None


def _milliseconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 86_400_000:
        raise BadSetting(f"expected milliseconds between 0 and one day, got {value!r}")
    return float(value)


def _rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise BadSetting(f"error_rate must be between 0 and 1, got {value!r}")
    return float(value)


def _tokens(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise BadSetting(f"tokens must be an integer between 0 and 1000000, got {value!r}")
    return value


def _upstream(value: object) -> str:
    if value not in UPSTREAM_STATUSES:
        raise BadSetting(f"upstream_status must be one of {', '.join(UPSTREAM_STATUSES)}, got {value!r}")
    return str(value)


_PARSERS = {
    "fault": parse_fault,
    "error_rate": _rate,
    "latency_ms": _milliseconds,
    "ttft_ms": _milliseconds,
    "itl_ms": _milliseconds,
    "tokens": _tokens,
    "upstream_status": _upstream,
}


def parse_seed(data: Mapping[str, Any]) -> int | None:
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise BadSetting(f"seed must be an integer, got {seed!r}")
    return seed


@dataclass(slots=True)
class Plan:
    """How to answer one request. Times are absolute loop-clock deadlines in seconds."""

    fault: Fault
    headers_at: float
    first_token_at: float
    itl_s: float
    tokens: int | None
    beat_s: float  # between keep-alives, and between slowloris bytes


def resolve(
    behaviour: Behaviour, rng: random.Random, headers: Mapping[str, str], now: float, beat_s: float
) -> Plan:
    """X-Fake-* headers win over the standing behaviour; a header fault always applies."""
    name = headers.get("X-Fake-Fault")
    if name is not None:
        fault = parse_fault(name)
        if fault is Fault.REFUSE:
            raise BadSetting("refuse closes the port: set it through the control API")
    elif behaviour.fault is Fault.OK or behaviour.fault is Fault.REFUSE:
        fault = Fault.OK
    elif behaviour.error_rate >= 1 or rng.random() < behaviour.error_rate:
        fault = behaviour.fault
    else:
        fault = Fault.OK
    latency = _header_ms(headers, "X-Fake-Latency-Ms", behaviour.latency_ms)
    ttft = _header_ms(headers, "X-Fake-TTFT-Ms", behaviour.ttft_ms)
    itl = _header_ms(headers, "X-Fake-ITL-Ms", behaviour.itl_ms)
    tokens = headers.get("X-Fake-Tokens")
    headers_at = now + latency / 1000
    return Plan(
        fault=fault,
        headers_at=headers_at,
        first_token_at=headers_at + ttft / 1000,
        itl_s=itl / 1000,
        tokens=behaviour.tokens if tokens is None else _tokens(_int(tokens, "X-Fake-Tokens")),
        beat_s=beat_s,
    )


def _header_ms(headers: Mapping[str, str], name: str, default: float) -> float:
    raw = headers.get(name)
    if raw is None:
        return default
    try:
        return _milliseconds(float(raw))
    except ValueError:
        raise BadSetting(f"{name} must be milliseconds, got {raw!r}") from None


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise BadSetting(f"{name} must be an integer, got {raw!r}") from None
