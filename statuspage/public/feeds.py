"""/history.atom and /history.rss in the shape Statuspage serves (reference/statuspage-api-v2.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings

from statuspage.incidents.markdown import render
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.lib.xmltext import strip_control

LABELS = dict(IncidentStatus.choices)
# The RSS 1.0 event module: a maintenance window's start and end, where any RSS reader expects them.
EVENT_NS = "http://purl.org/rss/1.0/modules/event/"


def text(value: str) -> str:
    """Escaped for XML, without the control characters that would make the whole feed unreadable."""
    return escape(strip_control(value))


def title() -> str:
    """Statuspage's "<name> Status - Incident History", without "Status Status" for a name ending so."""
    name = settings.SITE_NAME
    return f"{name if name.lower().endswith('status') else name + ' Status'} - Incident History"


def atom(incidents: Sequence[Incident], now: datetime) -> str:
    site, host = settings.SITE_URL, urlsplit(settings.SITE_URL).hostname
    updated = max((i.updated_at for i in incidents), default=now)
    entries = "".join(
        f"<entry><id>tag:{host},2005:Incident/{i.pk}</id>"
        f"<published>{_atom_time(i.created_at)}</published><updated>{_atom_time(i.updated_at)}</updated>"
        f'<link rel="alternate" type="text/html" href="{site}/incidents/{i.public_id}"/>'
        f"<title>{text(i.name)}</title>"
        f'<content type="html">{text(content(i))}</content></entry>'
        for i in incidents
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:{host},2005:/history</id>"
        f'<link rel="alternate" type="text/html" href="{site}"/>'
        f'<link rel="self" type="application/atom+xml" href="{site}/history.atom"/>'
        f"<title>{text(title())}</title>"
        f"<updated>{_atom_time(updated)}</updated>"
        f"<author><name>{text(settings.SITE_NAME)}</name></author>{entries}</feed>"
    )


def rss(incidents: Sequence[Incident], now: datetime) -> str:
    site = settings.SITE_URL
    items = []
    for i in incidents:
        maintenance = i.kind == Incident.Kind.MAINTENANCE and i.scheduled_for
        published = i.scheduled_for if maintenance else i.created_at
        window = f"<ev:startdate>{_atom_time(i.scheduled_for)}</ev:startdate>" if maintenance else ""
        if maintenance and i.scheduled_until:
            window += f"<ev:enddate>{_atom_time(i.scheduled_until)}</ev:enddate>"
        items.append(
            f"<item><title>{text(i.name)}</title><description>{text(content(i))}</description>"
            f"<pubDate>{_rss_time(published)}</pubDate><link>{site}/incidents/{i.public_id}</link>"
            f"<guid>{site}/incidents/{i.public_id}</guid>{window}</item>"
        )
    updated = max((i.updated_at for i in incidents), default=now)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:ev="{EVENT_NS}"><channel>'
        f"<title>{text(title())}</title><link>{site}</link>"
        f'<atom:link href="{site}/history.rss" rel="self" type="application/rss+xml"/>'
        f"<description>{text(title())}</description><language>en-us</language>"
        f"<pubDate>{_rss_time(updated)}</pubDate>"
        f"{''.join(items)}</channel></rss>"
    )


def content(incident: Incident) -> str:
    """The HTML body of an entry: one block per update, newest first (`Update` when the status stayed),
    each body as the page renders it (sanitised Markdown), then the components it affected."""
    updates = list(incident.updates.all())  # newest first
    parts = []
    if incident.kind == Incident.Kind.MAINTENANCE and incident.scheduled_for:
        window = _stamp(incident.scheduled_for)
        if incident.scheduled_until:
            window += f" - <var data-var='time'>{incident.scheduled_until.astimezone(UTC):%H:%M}</var>"
        parts.append(f"<p><strong>THIS IS A SCHEDULED EVENT {window} UTC</strong></p>")
    for index, update in enumerate(updates):
        older = updates[index + 1] if index + 1 < len(updates) else None
        label = "Update" if older is not None and older.status == update.status else LABELS[update.status]
        parts.append(
            f"<p><small>{_stamp(update.display_at)} UTC</small><br><strong>{label}</strong></p>"
            f"{render(update.body)}"
        )
    affected = [c.display_name for c in incident.components.all()]
    if affected:
        kind = "scheduled maintenance" if incident.kind == Incident.Kind.MAINTENANCE else "incident"
        parts.append(f"<p>This {kind} affected: {escape(', '.join(affected))}.</p>")
    return "".join(parts)


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%b} <var data-var='date'>{moment.day}</var>, <var data-var='time'>{moment:%H:%M}</var>"


def _atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss_time(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC)).replace("-0000", "+0000")
