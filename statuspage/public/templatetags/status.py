"""Template filters for the public pages: percentages, UTC times, durations and status words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import template
from django.utils.html import format_html

from statuspage.components.models import ComponentStatus
from statuspage.incidents.models import Impact, IncidentStatus
from statuspage.lib.timefmt import iso_ms
from statuspage.public import charts

register = template.Library()

COMPONENT_TEXT = dict(ComponentStatus.choices)
INCIDENT_TEXT = dict(IncidentStatus.choices)
IMPACT_TEXT = {
    Impact.NONE: "No impact",
    Impact.MINOR: "Minor",
    Impact.MAJOR: "Major",
    Impact.CRITICAL: "Critical",
    Impact.MAINTENANCE: "Maintenance",
}
INDICATOR_ICON = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
    "maintenance": "under_maintenance",
}


register.filter("pct", charts.pct)


@register.filter
def component_text(status: str) -> str:
    return COMPONENT_TEXT.get(status, status)


@register.filter
def incident_text(status: str) -> str:
    return INCIDENT_TEXT.get(status, status)


@register.filter
def impact_text(impact: str) -> str:
    return IMPACT_TEXT.get(impact, impact)


@register.filter
def indicator_icon(indicator: str) -> str:
    return INDICATOR_ICON.get(indicator, "operational")


@register.filter
def utc(value: datetime | None) -> str:
    """A <time> in UTC; the page's script adds the reader's local time beside it."""
    if value is None:
        return ""
    moment = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}" data-local>{} UTC</time>', iso_ms(moment), moment.strftime("%b %-d, %Y %H:%M")
    )


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return " ".join(parts[:2])
