"""Render the public side's eager artifacts (pages, partials, feeds, badges, widget) for a snapshot."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from statuspage.incidents.models import Incident
from statuspage.public import badges, charts, feeds, models_page, pagedata, pages
from statuspage.readmodel import failover
from statuspage.readmodel.current import load
from statuspage.readmodel.freshness import delayed_since
from statuspage.serving import artifacts as a
from statuspage.serving.artifacts import Artifact
from statuspage.serving.context import base_context
from statuspage.serving.snapshot import Render

LIVE_ETAG = "__LIVE_ETAG__"
SUBSCRIBE_SLOT = "subscriptions/_subscribe_slot.html"
UPTIME_WINDOWS = (90, 30, 7)


def build(render: Render) -> dict[str, Artifact]:
    now = render.now
    data = pagedata.collect(render.read(load), delayed_since(render))
    out: dict[str, Artifact] = {}
    out["/partials/live"], live_html = _live(data, now)
    out["/"] = a.make(
        render_to_string("public/index.html", {**base_context(), "live": live_html, **_subscribe()}),
        a.HTML,
        a.PAGE_CACHE,
    )
    out["/history"] = pages.history(1, now)
    out["/models"] = models_page.render(failover.ranking(render), now)
    recent = _feed_entries(data.current)
    out["/history.atom"] = a.make(feeds.atom(recent, now), a.ATOM, a.FEED_CACHE, cors=True)
    out["/history.rss"] = a.make(feeds.rss(recent, now), a.RSS, a.FEED_CACHE, cors=True)
    out.update(_badges(data))
    out["/embed.js"] = a.make(_static("js/embed.js"), a.JS, a.FEED_CACHE, cors=True)
    return out


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
    # While our monitoring is late, no badge shows a status colour for what it cannot vouch for.
    overall = "unknown" if data.delayed_since else data.status["indicator"]
    out = {
        "/badge.svg": a.make(
            badges.badge(settings.SITE_NAME, data.status["description"].lower(), overall),
            a.SVG,
            a.FEED_CACHE,
            cors=True,
        )
    }
    rows = {row.component.public_id: row for section in data.sections for row in section.rows}
    for component in data.current.components:
        cid = component.public_id
        text, colour = component.get_status_display().lower(), component.status
        if data.delayed_since:
            text, colour = "monitoring delayed", "unknown"
        out[f"/badge/{cid}.svg"] = a.make(
            badges.badge(component.display_name, text, colour), a.SVG, a.FEED_CACHE, cors=True
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
