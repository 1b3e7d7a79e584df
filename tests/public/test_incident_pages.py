"""Incident pages (timeline, duration, detection, postmortem) and the history, month by month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def incident(make_component):
    chat = make_component("Chat")
    found = services.open_incident(
        IncidentDraft(
            name="Streams stall",
            impact="critical",
            body="Streams stop after the first token.",
            component_statuses={chat: "major_outage"},
            automatic=True,
            detection={"method": "automatic", "monitors": ["chat (stream)"], "lead_seconds": 420},
        ),
        now=NOW - timedelta(hours=2),
    )
    services.post_update(
        found,
        UpdateDraft(status="monitoring", body="A fix is out.", component_statuses={chat: "operational"}),
        now=NOW - timedelta(minutes=30),
    )
    return found


def test_the_timeline_is_newest_first_with_utc_times(client, incident):
    html = client.get(f"/incidents/{incident.public_id}").content.decode()
    assert html.index("A fix is out.") < html.index("Streams stop after the first token.")
    assert '<time datetime="2026-05-20T11:30:00.000Z" data-local>May 20, 2026 11:30 UTC</time>' in html
    assert "Chat: Major outage → Operational" in html
    assert "Not yet" in html  # unresolved


def test_duration_and_detection_details(client, incident):
    services.post_update(incident, UpdateDraft(status="resolved", body="Resolved."), now=NOW)
    html = client.get(f"/incidents/{incident.public_id}").content.decode()
    assert "<dt>Duration</dt><dd>2 h</dd>" in html
    assert "Seen before the provider&#x27;s own page by</dt><dd>7 minutes" in html
    assert "chat (stream)" in html


def test_the_postmortem_shows_once_published(client, incident):
    incident.postmortem_body = "Root cause: a <b>bad</b> deploy.\n\n**Fixed** by a rollback."
    incident.save()
    from statuspage.lib import pageversion

    assert "Root cause" not in client.get(f"/incidents/{incident.public_id}").content.decode()
    incident.postmortem_published_at = NOW
    incident.save()
    pageversion.bump()
    html = client.get(f"/incidents/{incident.public_id}").content.decode()
    assert "Root cause: a &lt;b&gt;bad&lt;/b&gt; deploy." in html  # Markdown, raw HTML shown as text
    assert "<strong>Fixed</strong> by a rollback." in html


def test_unpublished_incidents_have_no_page(client, incident):
    held = Incident.objects.create(name="Held", published=False)
    assert client.get(f"/incidents/{held.public_id}").status_code == 404


def test_history_lists_incidents_month_by_month_with_pages(client, make_component):
    chat = make_component("Chat")
    with time_machine.travel(NOW, tick=False):
        for months_ago, name in ((0, "May incident"), (1, "April incident"), (4, "January incident")):
            services.open_incident(
                IncidentDraft(
                    name=name, impact="minor", body="x", component_statuses={chat: "degraded_performance"}
                ),
                now=NOW - timedelta(days=31 * months_ago),
            )
        first = client.get("/history").content.decode()
        assert first.index("May 2026") < first.index("May incident") < first.index("April 2026")
        assert "March 2026" in first and "No incidents reported this month." in first
        assert "January incident" not in first and 'href="/history?page=2"' in first
        second = client.get("/history?page=2").content.decode()
        assert "January incident" in second and "February 2026" in second
        assert timezone.now() == NOW
