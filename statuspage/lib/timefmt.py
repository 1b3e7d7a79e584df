"""Timestamps in the formats our clients parse: Statuspage's ISO 8601 with milliseconds and Z."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_ms(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
