"""/history.atom and /history.rss in the shape Statuspage serves (reference/statuspage-api-v2.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings

from statuspage.incidents.models import Incident, IncidentStatus

LABELS = dict(IncidentStatus.choices)


def atom(incidents: Sequence[Incident], now: datetime) -> str:
    site, host = settings.SITE_URL, urlsplit(settings.SITE_URL).hostname
    updated = max((i.updated_at for i in incidents), default=now)
    entries = "".join(
        f"<entry><id>tag:{host},2005:Incident/{i.pk}</id>"
        f"<published>{_atom_time(i.created_at)}</published><updated>{_atom_time(i.updated_at)}</updated>"
        f'<link rel="alternate" type="text/html" href="{site}/incidents/{i.public_id}"/>'
        f"<title>{escape(i.name)}</title>"
        f'<content type="html">{escape(content(i))}</content></entry>'
        for i in incidents
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:{host},2005:/history</id>"
        f'<link rel="alternate" type="text/html" href="{site}"/>'
        f'<link rel="self" type="application/atom+xml" href="{site}/history.atom"/>'
        f"<title>{escape(settings.SITE_NAME)} Status - Incident History</title>"
        f"<updated>{_atom_time(updated)}</updated>"
        f"<author><name>{escape(settings.SITE_NAME)}</name></author>{entries}</feed>"
    )


def rss(incidents: Sequence[Incident], now: datetime) -> str:
    site = settings.SITE_URL
    items = []
    for i in incidents:
        maintenance = i.kind == Incident.Kind.MAINTENANCE and i.scheduled_for
        published = i.scheduled_for if maintenance else i.created_at
        end = (
            f"<maintenanceEndDate>{_rss_time(i.scheduled_until)}</maintenanceEndDate>"
            if maintenance and i.scheduled_until
            else ""
        )
        items.append(
            f"<item><title>{escape(i.name)}</title><description>{escape(content(i))}</description>"
            f"<pubDate>{_rss_time(published)}</pubDate><link>{site}/incidents/{i.public_id}</link>"
            f"<guid>{site}/incidents/{i.public_id}</guid>{end}</item>"
        )
    updated = max((i.updated_at for i in incidents), default=now)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(settings.SITE_NAME)} Status - Incident History</title><link>{site}</link>"
        f"<description>Statuspage</description><pubDate>{_rss_time(updated)}</pubDate>"
        f"{''.join(items)}</channel></rss>"
    )


def content(incident: Incident) -> str:
    """The HTML body of an entry: one <p> per update, newest first; `Update` when the status stayed."""
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
            f"<p><small>{_stamp(update.display_at)} UTC</small><br>"
            f"<strong>{label}</strong> - {escape(update.body)}</p>"
        )
    return "".join(parts)


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%b} <var data-var='date'>{moment.day}</var>, <var data-var='time'>{moment:%H:%M}</var>"


def _atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss_time(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC)).replace("-0000", "+0000")
