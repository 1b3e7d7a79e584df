"""/history.atom and /history.rss: the shapes feed readers and GOV.UK-style parsers expect."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident, IncidentUpdate

ATOM = "{http://www.w3.org/2005/Atom}"
EVENT = "{http://purl.org/rss/1.0/modules/event/}"


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own output, not untrusted input


@pytest.fixture
def history(make_component):
    chat = make_component("Chat")
    now = timezone.now()
    incident = services.open_incident(
        IncidentDraft(
            name="Errors <on> chat",
            impact="major",
            body="Investigating & more.",
            component_statuses={chat: "partial_outage"},
        ),
        now=now - timedelta(hours=2),
    )
    services.post_update(
        incident, UpdateDraft(status="investigating", body="Still looking."), now=now - timedelta(hours=1)
    )
    services.post_update(incident, UpdateDraft(status="resolved", body="Fixed."), now=now)
    maintenance = Incident.objects.create(
        kind="maintenance", name="Upgrade", status="scheduled", impact="maintenance",
        scheduled_for=now.replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1),
        scheduled_until=now.replace(hour=16, minute=0, second=0, microsecond=0) + timedelta(days=1),
        created_at=now - timedelta(hours=3),
    )  # fmt: skip
    IncidentUpdate.objects.create(incident=maintenance, status="scheduled", body="Planned.")
    return incident, maintenance


def test_atom_has_one_entry_per_incident_with_updates_newest_first(client, history):
    incident, _ = history
    response = client.get("/history.atom")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    feed = parse(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Errors <on> chat", "Upgrade"]
    first = entries[0]
    assert first.find(f"{ATOM}id").text.endswith(f",2005:Incident/{incident.pk}")
    assert first.find(f"{ATOM}link").get("href").endswith(f"/incidents/{incident.public_id}")
    assert first.find(f"{ATOM}published").text.endswith("Z")
    content = first.find(f"{ATOM}content").text  # the HTML, unescaped once by the XML parser
    labels = [part.split("</strong>")[0] for part in content.split("<strong>")[1:]]
    assert labels == ["Resolved", "Update", "Investigating"]
    assert "Investigating &amp; more." in content
    assert "<var data-var='time'>" in content


def test_rss_dates_are_rfc822_and_maintenance_items_carry_their_window(client, history):
    response = client.get("/history.rss")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = parse(response.content).find("channel")
    items = channel.findall("item")
    assert items[0].find("pubDate").text.endswith(" +0000")
    upgrade = items[1]
    assert upgrade.find(f"{EVENT}enddate").text.endswith("T16:00:00Z")  # in the RSS event module
    assert upgrade.find(f"{EVENT}startdate").text.endswith("T12:00:00Z")
    assert upgrade.find("pubDate").text.endswith("12:00:00 +0000")  # the scheduled start
    description = html.unescape(upgrade.find("description").text)
    assert description.startswith("<p><strong>THIS IS A SCHEDULED EVENT")
    assert "<strong>Resolved</strong>" in items[0].find("description").text


def test_empty_history_is_still_a_valid_feed(client, db):
    assert parse(client.get("/history.atom").content).findall(f"{ATOM}entry") == []
    assert parse(client.get("/history.rss").content).find("channel").findall("item") == []
