"""The feeds are valid by a strict XML parser (lxml) and read as meant by a feed reader (feedparser).

The W3C feed validator is not packaged for Python 3.11; what it reported (undefined item elements, no
atom:link rel="self", no language, control characters) is checked here against the RSS 2.0 and Atom
element lists, with lxml for well-formedness and feedparser for how readers see the result.
"""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident, IncidentUpdate

# RSS 2.0 (rssboard.org/rss-specification): every element an <item> or <channel> may hold without a
# namespace. Anything else must be in a declared namespace.
RSS_ITEM = {"title", "link", "description", "author", "category", "comments", "enclosure", "guid",
            "pubDate", "source"}  # fmt: skip
RSS_CHANNEL = {"title", "link", "description", "language", "copyright", "managingEditor", "webMaster",
               "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image",
               "rating", "textInput", "skipHours", "skipDays", "item"}  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"


def strict(body: bytes) -> etree._Element:
    """Parse as a conforming XML processor must: any well-formedness error raises."""
    return etree.fromstring(body, etree.XMLParser(recover=False, resolve_entities=False, no_network=True))


@pytest.fixture
def history(make_component):
    chat = make_component("Chat", group=ComponentGroup.objects.create(name="OpenAI"))
    now = timezone.now()
    incident = services.open_incident(
        IncidentDraft(name="Errors\x0b on chat\x01", impact="major",
                      body="We are **investigating**:\n\n- timeouts\n- 500s\x1b[0m",
                      component_statuses={chat: "partial_outage"}),
        now=now - timedelta(hours=1),
    )  # fmt: skip
    services.post_update(incident, UpdateDraft(status="resolved", body="Fixed."), now=now)
    maintenance = Incident.objects.create(
        kind="maintenance", name="Upgrade", status="scheduled", impact="maintenance",
        scheduled_for=now + timedelta(days=1), scheduled_until=now + timedelta(days=1, hours=2),
    )  # fmt: skip
    maintenance.components.set([chat])
    IncidentUpdate.objects.create(incident=maintenance, status="scheduled", body="Planned.")
    return incident


@pytest.mark.parametrize("path", ["/history.rss", "/history.atom"])
def test_feeds_with_control_characters_in_stored_text_stay_well_formed(client, history, path):
    body = client.get(path).content

    strict(body)  # raises XMLSyntaxError ("not well-formed (invalid token)") on a control character
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert sorted(entry.title for entry in parsed.entries) == ["Errors on chat", "Upgrade"]


def test_rss_declares_itself_its_language_and_keeps_extensions_in_namespaces(client, history, settings):
    body = client.get("/history.rss").content
    channel = strict(body).find("channel")

    assert {child.tag for child in channel if "{" not in child.tag} <= RSS_CHANNEL
    for item in channel.iter("item"):
        assert {child.tag for child in item if "{" not in child.tag} <= RSS_ITEM
    [self_link] = channel.findall(f"{ATOM}link")
    assert self_link.attrib == {
        "href": f"{settings.SITE_URL}/history.rss", "rel": "self", "type": "application/rss+xml"
    }  # fmt: skip
    assert channel.findtext("language") == "en-us"
    parsed = feedparser.parse(body)
    assert parsed.feed.language == "en-us"
    assert parsed.feed.title == "AI Status - Incident History"  # not "AI Status Status"


def test_atom_title_names_the_page_once(client, history, settings):
    settings.SITE_NAME = "Acme"
    services.post_update(
        history, UpdateDraft(status="resolved", body="Edited."), now=timezone.now()
    )  # new snapshot
    assert strict(client.get("/history.atom").content).findtext(f"{ATOM}title") == (
        "Acme Status - Incident History"
    )


def test_entry_bodies_are_the_rendered_markdown_and_name_the_affected_components(client, history):
    for path in ("/history.rss", "/history.atom"):
        entries = feedparser.parse(client.get(path).content).entries
        [incident] = [e for e in entries if e.title == "Errors on chat"]
        html = incident.summary if path.endswith("rss") else incident.content[0].value
        assert "<strong>investigating</strong>" in html and "<li>timeouts</li>" in html, path
        assert "**" not in html and "\x1b" not in html
        assert "This incident affected: OpenAI · Chat." in html
        [upgrade] = [e for e in entries if e.title == "Upgrade"]
        body = upgrade.summary if path.endswith("rss") else upgrade.content[0].value
        assert "This scheduled maintenance affected: OpenAI · Chat." in body
