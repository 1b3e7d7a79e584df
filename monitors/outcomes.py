"""The probe outcome taxonomy: exactly one outcome per probe (reference/ai-providers.md §6)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    # Success
    OK = "ok"
    SLOW = "slow"
    # Throttling: counted apart from faults (half weight), never alone a major outage.
    RATE_LIMITED = "rate_limited"
    # Provider faults
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    CDN_ERROR = "cdn_error"
    TIMEOUT_CONNECT = "timeout_connect"
    TIMEOUT_TTFT = "timeout_ttft"
    CONNECT_ERROR = "connect_error"
    STREAM_STALLED = "stream_stalled"
    STREAM_TRUNCATED = "stream_truncated"
    STREAM_ERROR_EVENT = "stream_error_event"
    EMPTY_RESPONSE = "empty_response"
    MALFORMED = "malformed"
    CONTENT_CHECK_FAILED = "content_check_failed"
    # Ours, not the provider's: these mark the monitor misconfigured and alert operators only.
    AUTH_ERROR = "auth_error"
    QUOTA_EXHAUSTED = "quota_exhausted"
    CLIENT_ERROR = "client_error"

    @property
    def is_success(self) -> bool:
        return self in SUCCESS


SUCCESS = frozenset({Outcome.OK, Outcome.SLOW})
THROTTLED = frozenset({Outcome.RATE_LIMITED})
OURS = frozenset({Outcome.AUTH_ERROR, Outcome.QUOTA_EXHAUSTED, Outcome.CLIENT_ERROR})
