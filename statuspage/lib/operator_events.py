"""What operators must hear of, as a value every room can make: subscriptions.alerts decides where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_WORSENED = "incident_worsened"
    INCIDENT_RESOLVED = "incident_resolved"
    INCIDENT_HELD = "incident_held"
    MONITOR_MISCONFIGURED = "monitor_misconfigured"
    MONITORS_SILENT = "monitors_silent"
    PIPELINE_STALLED = "pipeline_stalled"  # the pipeline's watchdog fired
    ALERT = "alert"


@dataclass(frozen=True)
class OperatorEvent:
    """Something operators must hear of. `key` says what deserves a new message: the same key twice is
    one message (e.g. f"monitor-misconfigured:{monitor.pk}:{since}")."""

    kind: EventKind
    subject: str
    body: str
    key: str
