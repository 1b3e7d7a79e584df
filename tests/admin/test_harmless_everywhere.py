"""Hostile Markdown in an update and a postmortem is harmless on every page, feed and email."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from statuspage.incidents import services
from statuspage.incidents.models import Incident
from statuspage.subscriptions.emails import Composer
from statuspage.subscriptions.models import Delivery
from tests.admin.conftest import ADMIN
from tests.admin.hostile import HOSTILE, hostile
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

INCIDENTS = ADMIN + "incidents/incident/"


@pytest.fixture
def incident(components, make_subscriber, django_capture_on_commit_callbacks) -> Incident:
    make_subscriber("reader@example.com")
    with django_capture_on_commit_callbacks(execute=True):  # the page version moves, as on commit
        incident = services.open_incident(
            name="Hostile <script>alert('pwned-name')</script>", impact="major", body=HOSTILE,
            component_statuses={components["chat"]: "major_outage"},
        )  # fmt: skip
        services.post_update(incident, status="resolved", body=HOSTILE)
        services.publish_postmortem(incident, body=HOSTILE)
    return incident


def test_public_pages_are_harmless(client, incident):
    for path in ("/", f"/incidents/{incident.public_id}", "/history"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert hostile(response.content.decode()) == [], path


@pytest.mark.parametrize(("path", "content"), [("/history.atom", "{http://www.w3.org/2005/Atom}content"),
                                               ("/history.rss", "description")])  # fmt: skip
def test_feed_entries_are_harmless_html_once_a_reader_unescapes_them(client, incident, path, content):
    document = ET.fromstring(client.get(path).content)  # noqa: S314 - our own feed
    entries = [e.text or "" for e in document.iter(content)]
    assert entries and any("pwned" in e for e in entries)  # the text is there, as text
    for html in entries:
        assert hostile(html) == []


def test_the_api_serves_the_text_as_json_data(client, incident):
    response = client.get("/api/v2/incidents.json")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["incidents"][0]["incident_updates"][0]["body"] == HOSTILE


def test_emails_are_harmless(incident):
    for delivery in Delivery.objects.select_related("subscriber", "update__incident"):
        message = Composer().message(delivery)
        html = message.alternatives[0].content
        assert "pwned" in html and hostile(html) == []


def test_admin_pages_are_harmless(operator_client, incident):
    update = incident.updates.earliest("id")
    pages = [
        operator_client.get(f"{INCIDENTS}{incident.pk}/change/"),
        operator_client.get(f"{INCIDENTS}{incident.pk}/updates/{update.pk}/edit/"),
        operator_client.get(f"{INCIDENTS}{incident.pk}/postmortem/"),
        operator_client.get(INCIDENTS),
        operator_client.post(
            f"{INCIDENTS}{incident.pk}/post-update/",
            {"status": "resolved", "body": HOSTILE, "notify": "on", "request_key": "p1", "_preview": "1"},
        ),
        operator_client.post(f"{INCIDENTS}{incident.pk}/postmortem/", {"body": HOSTILE, "_preview": "1"}),
    ]
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert "pwned" in page and hostile(page) == []
