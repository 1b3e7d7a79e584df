"""Render every eager artifact of a snapshot from one read of the database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from statuspage.api import failover
from statuspage.api.documents import documents
from statuspage.incidents.models import Incident
from statuspage.public import artifacts as a
from statuspage.public import badges, charts, feeds, models_page, pagedata, pages
from statuspage.public.artifacts import Artifact
from statuspage.public.context import base_context

LIVE_ETAG = "__LIVE_ETAG__"
SUBSCRIBE_SLOT = "subscriptions/_subscribe_slot.html"
UPTIME_WINDOWS = (90, 30, 7)


def build() -> dict[str, Artifact]:
    now = timezone.now()
    data = pagedata.collect(now)
    out: dict[str, Artifact] = {}
    out["/partials/live"], live_html = _live(data, now)
    out["/"] = a.make(
        render_to_string("public/index.html", {**base_context(), "live": live_html, **_subscribe()}),
        a.HTML,
        a.PAGE_CACHE,
    )
    out["/history"] = pages.history(1, now)
    for path, document in documents(data.current).items():
        out[path] = json_artifact(document)
    ranking = failover.recommend(now)
    out["/api/failover.json"] = json_artifact(ranking)
    out["/models"] = models_page.render(ranking, now)
    recent = _feed_entries(data.current)
    out["/history.atom"] = a.make(feeds.atom(recent, now), a.ATOM, a.FEED_CACHE, cors=True)
    out["/history.rss"] = a.make(feeds.rss(recent, now), a.RSS, a.FEED_CACHE, cors=True)
    out.update(_badges(data))
    out["/embed.js"] = a.make(_static("js/embed.js"), a.JS, a.FEED_CACHE, cors=True)
    return out


def json_artifact(document: Any, cache_control: str = a.API_CACHE) -> Artifact:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return a.make(body, a.JSON, cache_control, cors=True)


def _live(data: pagedata.PageData, now: datetime) -> tuple[Artifact, str]:
    """The live region, whose own ETag is written into it so the next poll can send it back."""
    html = render_to_string("public/_live.html", {**base_context(), "data": data, "built_at": now})
    etag = a.make(html, a.HTML, a.REVALIDATE).etag.strip('"')
    html = html.replace(LIVE_ETAG, etag)
    return a.make(html, a.HTML, a.REVALIDATE, etag=etag), html


def _subscribe() -> dict[str, str]:
    """The subscriptions app fills this slot when it ships the template (it renders without a request)."""
    try:
        get_template(SUBSCRIBE_SLOT)
    except TemplateDoesNotExist:
        return {}
    return {"subscribe_template": SUBSCRIBE_SLOT}


def _feed_entries(current) -> list[Incident]:
    merged = {i.pk: i for i in (*current.recent_incidents, *current.recent_maintenances)}
    return sorted(merged.values(), key=lambda i: i.created_at, reverse=True)[:50]


def _badges(data: pagedata.PageData) -> dict[str, Artifact]:
    out = {
        "/badge.svg": a.make(
            badges.badge(settings.SITE_NAME, data.status["description"].lower(), data.status["indicator"]),
            a.SVG,
            a.FEED_CACHE,
            cors=True,
        )
    }
    rows = {row.component.public_id: row for section in data.sections for row in section.rows}
    for component in data.current.components:
        cid = component.public_id
        text = component.get_status_display().lower()
        out[f"/badge/{cid}.svg"] = a.make(
            badges.badge(component.display_name, text, component.status), a.SVG, a.FEED_CACHE, cors=True
        )
        row = rows.get(cid)
        for days in UPTIME_WINDOWS:
            value = row.uptime[days] if row else None
            svg = badges.badge(f"uptime {days}d", charts.pct(value), _uptime_colour(value))
            key = f"/badge/{cid}/uptime.svg" + ("" if days == 90 else f"?days={days}")
            out[key] = a.make(svg, a.SVG, a.FEED_CACHE, cors=True)
    return out


def _uptime_colour(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value >= 0.999:
        return "operational"
    return "degraded_performance" if value >= 0.99 else "major_outage"


def _static(name: str) -> str:
    path = finders.find(name)
    with open(path, encoding="utf-8") as handle:
        return handle.read()
