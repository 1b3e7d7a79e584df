"""Everything the v2 API and the page say about now, read in one pass of a dozen small queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from statuspage.components.models import Component, ComponentGroup
from statuspage.incidents.models import OPEN_INCIDENT, Incident, IncidentStatus

LIST_LIMIT = 50  # Statuspage caps its list endpoints at the 50 most recent
UPCOMING = (IncidentStatus.SCHEDULED,)
ACTIVE = (IncidentStatus.IN_PROGRESS, IncidentStatus.VERIFYING)


@dataclass(frozen=True)
class Current:
    now: datetime
    components: list[Component]  # every component, group loaded, in (group, position, name) order
    groups: list[ComponentGroup]
    unresolved: list[Incident]  # open incidents, newest first
    recent_incidents: list[Incident]  # the 50 most recent, any status
    maintenances: list[Incident]  # upcoming and in progress, newest first
    recent_maintenances: list[Incident]

    @property
    def upcoming(self) -> list[Incident]:
        return [m for m in self.maintenances if m.status in UPCOMING]

    @property
    def active(self) -> list[Incident]:
        return [m for m in self.maintenances if m.status in ACTIVE]

    @property
    def updated_at(self) -> datetime | None:
        stamps = [c.updated_at for c in self.components] + [
            i.updated_at for i in (*self.recent_incidents, *self.unresolved, *self.recent_maintenances)
        ]
        return max(stamps, default=None)


def published() -> QuerySet[Incident]:
    return (
        Incident.objects.filter(published=True)
        .prefetch_related("updates", "components__group")
        .order_by("-created_at", "-id")
    )


def load(now: datetime) -> Current:
    incidents = published().filter(kind=Incident.Kind.INCIDENT)
    maintenances = published().filter(kind=Incident.Kind.MAINTENANCE)
    return Current(
        now=now,
        components=list(
            Component.objects.select_related("group")
            .prefetch_related("monitors")  # for regional notes (an out-voted failing region)
            .order_by("group_id", "position", "name")
        ),
        groups=list(ComponentGroup.objects.all()),
        unresolved=list(incidents.filter(status__in=OPEN_INCIDENT)[:LIST_LIMIT]),
        recent_incidents=list(incidents[:LIST_LIMIT]),
        maintenances=list(maintenances.filter(status__in=UPCOMING + ACTIVE)[:LIST_LIMIT]),
        recent_maintenances=list(maintenances[:LIST_LIMIT]),
    )
