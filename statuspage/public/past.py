"""Past incidents day by day, as Statuspage lists them: every one of the last days, quiet ones too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from statuspage.incidents.models import Incident

DAYS = 15


@dataclass(frozen=True)
class Day:
    date: date
    incidents: list[Incident] = field(default_factory=list)


LIMIT = 500  # a runaway automation's flood is cut short rather than rendered whole


def days(now: datetime, count: int = DAYS) -> list[Day]:
    """The last `count` UTC days, today first; each published incident on the day it started."""
    today = now.astimezone(UTC).date()
    out = [Day(today - timedelta(days=n)) for n in range(count)]
    by_date = {d.date: d for d in out}
    since = datetime(out[-1].date.year, out[-1].date.month, out[-1].date.day, tzinfo=UTC)
    rows = (
        Incident.objects.filter(published=True, kind=Incident.Kind.INCIDENT, started_at__gte=since)
        .only("public_id", "name", "impact", "status", "started_at", "resolved_at")
        .order_by("-started_at")[:LIMIT]
    )
    for incident in rows:
        day = by_date.get(incident.started_at.astimezone(UTC).date())
        if day is not None:
            day.incidents.append(incident)
    return out
