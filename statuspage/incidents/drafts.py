"""What an operator or automation wants to say: the commands incidents.services and maintenance take."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from statuspage.components.models import Component
from statuspage.incidents.models import IncidentStatus


@dataclass(frozen=True)
class UpdateDraft:
    """One update: the incident's new status, its text, and what its components now show.

    `previous_statuses` names what components showed before, when the monitors have already moved them
    (automation reports that change); the update then records that as their old status. A
    `request_key` already used (a form submitted twice) makes the command return what it made then.
    """

    status: str
    body: str
    component_statuses: Mapping[Component, str] = field(default_factory=dict)
    previous_statuses: Mapping[Component, str] = field(default_factory=dict)
    request_key: str = ""


@dataclass(frozen=True)
class IncidentDraft:
    """A new incident and its first update. Automation's are `automatic`, held when not `published`."""

    name: str
    impact: str
    body: str
    component_statuses: Mapping[Component, str] = field(default_factory=dict)
    status: str = IncidentStatus.INVESTIGATING
    automatic: bool = False
    published: bool = True
    detection: dict | None = None
    previous_statuses: Mapping[Component, str] = field(default_factory=dict)
    request_key: str = ""

    def first_update(self) -> UpdateDraft:
        return UpdateDraft(
            status=self.status, body=self.body, component_statuses=self.component_statuses,
            previous_statuses=self.previous_statuses, request_key=self.request_key,
        )  # fmt: skip


@dataclass(frozen=True)
class MaintenanceDraft:
    """A maintenance window announced ahead: its components show under_maintenance inside it, and
    subscribers are reminded at `remind_at` (before it starts) when set."""

    name: str
    body: str
    components: Iterable[Component]
    starts_at: datetime
    ends_at: datetime
    remind_at: datetime | None = None
    request_key: str = ""
