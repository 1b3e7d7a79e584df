"""A published postmortem shows once on the incident page: its own section above the updates, with a
short pointer in the timeline; the API and feeds carry its text once, as its "postmortem" update."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
POSTMORTEM = "Root cause: a **bad** deploy of the router.\n\nWe now canary every deploy."


@pytest.fixture
def incident(make_component, publish) -> Incident:
    chat = make_component("Chat")

    def write() -> Incident:
        found = services.open_incident(
            IncidentDraft(
                name="Streams stall",
                impact="major",
                body="Streams stop after the first token.",
                component_statuses={chat: "major_outage"},
            ),
            now=NOW - timedelta(hours=2),
        )
        services.post_update(
            found,
            UpdateDraft(status="resolved", body="All clear.", component_statuses={chat: "operational"}),
            now=NOW - timedelta(hours=1),
        )
        services.publish_postmortem(found, body=POSTMORTEM, now=NOW)
        return found

    return publish(write)


def test_the_postmortem_text_appears_once_as_its_own_section_above_the_updates(client, incident):
    page = client.get(f"/incidents/{incident.public_id}").content.decode()

    assert page.count("We now canary every deploy.") == 1
    assert page.count("<strong>bad</strong> deploy of the router") == 1
    section, updates = page.index('id="postmortem"'), page.index('id="h-updates"')
    assert section < page.index("We now canary every deploy.") < updates


def test_the_timeline_points_at_the_postmortem_instead_of_repeating_it(client, incident):
    page = client.get(f"/incidents/{incident.public_id}").content.decode()
    timeline = page[page.index('id="h-updates"') :]

    assert "<h3>Postmortem published</h3>" in timeline
    assert '<a href="#postmortem">Read the postmortem</a>' in timeline
    assert "All clear." in timeline and "Streams stop after the first token." in timeline


def test_publishing_again_edits_the_section_and_still_shows_the_text_once(client, incident, publish):
    publish(lambda: services.publish_postmortem(incident, body="Revised: a bad router config.", notify=True,
                                                now=NOW + timedelta(hours=1)))  # fmt: skip

    page = client.get(f"/incidents/{incident.public_id}").content.decode()

    assert page.count("Revised: a bad router config.") == 1
    assert "We now canary every deploy." not in page
    assert "<h3>Postmortem published</h3>" in page and "<h3>Postmortem updated</h3>" in page


def test_the_api_and_the_feed_carry_the_text_once_as_the_postmortem_update(client, incident):
    api = client.get("/api/v2/incidents.json").json()["incidents"][0]
    feed = html.unescape(html.unescape(client.get("/history.atom").content.decode()))

    assert api["status"] == "postmortem"
    assert [u["status"] for u in api["incident_updates"]] == ["postmortem", "resolved", "investigating"]
    assert api["incident_updates"][0]["body"] == POSTMORTEM
    assert feed.count("We now canary every deploy.") == 1
