"""Pages rendered on first request per snapshot: incident pages and the history, month by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.template.loader import render_to_string

from statuspage.incidents import detection
from statuspage.incidents.models import Incident
from statuspage.public import incident_words
from statuspage.readmodel import incident_impact
from statuspage.readmodel.current import published
from statuspage.serving import artifacts as a
from statuspage.serving.artifacts import Artifact
from statuspage.serving.context import base_context

MONTHS_PER_PAGE = 3
MAX_PAGE = 400  # 100 years of history; anything past it is a bad request, not a query


@dataclass(frozen=True)
class Month:
    start: date
    incidents: list[Incident]


def incident(public_id: str, now: datetime) -> Artifact | None:
    found = published().filter(public_id=public_id).first()
    if found is None:
        return None
    context = {
        **base_context(),
        "incident": found,
        "duration": (found.resolved_at or now) - found.started_at,
        "detection": detection.facts(found.detection, incident_impact.monitor_statuses(found.detection)),
        "users_saw": incident_words.facts(incident_impact.load(found, now)),
    }
    return a.make(render_to_string("public/incident.html", context), a.HTML, a.PAGE_CACHE)


def history(page: int, now: datetime) -> Artifact:
    newest = _month_start(now.date(), -(page - 1) * MONTHS_PER_PAGE)
    starts = [_month_start(newest, -i) for i in range(MONTHS_PER_PAGE)]
    oldest = starts[-1]
    end = _month_start(newest, 1)
    rows = list(
        Incident.objects.filter(
            published=True, started_at__gte=_midnight(oldest), started_at__lt=_midnight(end)
        )
        .only("public_id", "name", "impact", "status", "started_at", "resolved_at")
        .order_by("-started_at")
    )
    months = [
        Month(start, [i for i in rows if _month_start(i.started_at.astimezone(UTC).date(), 0) == start])
        for start in starts
    ]
    for row in rows:
        row.duration = (row.resolved_at or now) - row.started_at
    has_older = Incident.objects.filter(published=True, started_at__lt=_midnight(oldest)).exists()
    context = {**base_context(), "months": months, "page": page, "has_older": has_older}
    return a.make(render_to_string("public/history.html", context), a.HTML, a.PAGE_CACHE)


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
