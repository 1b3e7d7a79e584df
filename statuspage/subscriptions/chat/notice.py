"""What every chat message about an incident update says, built once per update and linked per subscriber."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings

from statuspage.incidents.models import CLOSED, Incident, IncidentUpdate
from statuspage.subscriptions import tokens
from statuspage.subscriptions.emails import affected_components
from statuspage.subscriptions.models import Subscriber

# Statuspage's colours: impact while open, green once over, blue for maintenance.
IMPACT_COLOURS = {"none": "#8e9aaf", "minor": "#f1c40f", "major": "#e67e22", "critical": "#e74c3c"}
RESOLVED_COLOUR = "#2fcc66"
MAINTENANCE_COLOUR = "#3498db"


@dataclass(frozen=True)
class Notice:
    title: str
    kind: str  # "Incident" or "Scheduled maintenance"
    status: str  # the update's status, in words
    impact: str  # the incident's impact, in words
    colour: str  # "#rrggbb"
    body: str
    components: tuple[tuple[str, str], ...]  # (name, status in words)
    url: str
    at: datetime
    site_name: str
    manage_url: str = ""
    unsubscribe_url: str = ""

    @property
    def colour_int(self) -> int:
        return int(self.colour[1:], 16)

    @property
    def heading(self) -> str:
        return f"{self.status}: {self.title}"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def component_lines(
    notice: Notice, limit: int, line: str = "{name}: {status}", escape: Callable[[str], str] = str
) -> str:
    """One line per affected component, within `limit` characters, saying how many did not fit."""
    lines: list[str] = []
    used = 0
    for index, (name, status) in enumerate(notice.components):
        text = line.format(name=escape(name), status=escape(status))
        rest = len(notice.components) - index
        more = f"… and {rest} more"
        if used + len(text) + 1 + (len(more) + 1 if rest > 1 else 0) > limit:
            lines.append(more)
            break
        lines.append(text)
        used += len(text) + 1
    return "\n".join(lines)


class Notices:
    """Notices for one batch: an update's text is built once, each subscriber's links stamped on it."""

    def __init__(self) -> None:
        self._bases: dict[int, Notice] = {}
        self._prefixes = {
            p: tokens.link_prefix(p) for p in (tokens.Purpose.MANAGE, tokens.Purpose.UNSUBSCRIBE)
        }

    def for_subscriber(self, update: IncidentUpdate, subscriber: Subscriber) -> Notice:
        if update.pk not in self._bases:
            self._bases[update.pk] = base(update)
        links = {
            f"{purpose}_url": prefix + tokens.make(purpose, subscriber.public_id)
            for purpose, prefix in self._prefixes.items()
        }
        return replace(self._bases[update.pk], **links)


def base(update: IncidentUpdate) -> Notice:
    incident = update.incident
    if incident.kind == Incident.Kind.MAINTENANCE:
        colour = MAINTENANCE_COLOUR
    elif update.status in CLOSED:
        colour = RESOLVED_COLOUR
    else:
        colour = IMPACT_COLOURS.get(incident.impact, IMPACT_COLOURS["none"])
    return Notice(
        title=incident.name,
        kind=incident.get_kind_display(),
        status=update.get_status_display(),
        impact=incident.get_impact_display(),
        colour=colour,
        body=update.body,
        components=tuple((c["name"], c["status"]) for c in affected_components(update)),
        url=f"{settings.SITE_URL}/incidents/{incident.public_id}",
        at=update.display_at,
        site_name=settings.SITE_NAME,
    )
