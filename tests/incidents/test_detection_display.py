"""An automatic incident's detection record, as automation writes it, reads as words and formatted times
on its public page and in the admin: never Python data, JSON or internal ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from monitors.models import Monitor
from statuspage.incidents import detection, services
from statuspage.incidents.models import Incident
from statuspage.public.templatetags.status import utc
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
RAW = re.compile(r"\{'|'id'|\[\{|\{&quot;|\{\"|&#x27;id|>[^<]*\d{4}-\d\d-\d\dT")  # Python/JSON, raw ISO text


@pytest.fixture(autouse=True)
def published_at_once(settings):
    settings.INCIDENT_REVIEW_MINOR = False


@pytest.fixture
def upstream(provider) -> Monitor:
    """The provider's own status page, watched like any monitor."""
    return Monitor.objects.create(
        provider=provider, name="upstream", kind="upstream", url="http://x/", status="up"
    )


@pytest.fixture
def operator_client(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("olga", "olga@example.com", None))
    return client


def _exact(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M:%S UTC")


def test_the_incident_page_words_how_and_when_the_outage_was_detected(client, world, upstream):
    world.monitor_moves(world.chat_monitor, "down", 60, since=0)
    world.monitor_moves(upstream, "down", 480, since=420)
    incident = Incident.objects.get()
    assert incident.detection["monitors"][0]["id"] == world.chat_monitor.pk  # what made it unreadable

    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    facts = html[html.index('<dl class="facts">') : html.index("</dl>")]
    assert "<dt>How we detected it</dt><dd>Automatically, by our probes</dd>" in facts
    assert f"<dt>Monitors</dt><dd>chat: down since {utc(world.at(60))}</dd>" in facts
    assert f"<dt>First failure at</dt><dd>{utc(world.at(0))}</dd>" in facts
    assert f"<dt>Confirmed at</dt><dd>{utc(world.at(60))}</dd>" in facts
    assert f"<dt>Detected at</dt><dd>{utc(world.at(60))}</dd>" in facts
    assert f"<dt>Provider acknowledged at</dt><dd>{utc(world.at(420))}</dd>" in facts
    assert "<dt>Seen before the provider&#x27;s own page by</dt><dd>6 minutes</dd>" in facts
    assert not RAW.search(facts), RAW.search(facts)
    assert "Lead s" not in facts


def test_the_provider_page_being_first_is_said_so(client, world, upstream):
    world.monitor_moves(upstream, "down", -30, since=-60)
    world.monitor_moves(world.chat_monitor, "down")
    incident = Incident.objects.get()

    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    assert "<dt>The provider&#x27;s own page reported it first, by</dt><dd>1 minute</dd>" in html


def test_the_admin_shows_the_record_in_words_with_exact_times(operator_client, world):
    world.monitor_moves(world.chat_monitor, "down", 60, since=0)
    incident = Incident.objects.get()

    html = operator_client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()

    assert "How we detected it: Automatically, by our probes" in html
    assert f"Monitors: chat: down since {_exact(world.at(60))}" in html
    assert f"First failure at: {_exact(world.at(0))}" in html
    assert "&quot;method&quot;" not in html and "&#x27;id&#x27;" not in html and '"monitors"' not in html


def test_an_operator_incident_says_who_reported_it(client, operator_client, world):
    incident = services.open_incident(
        name="Slow chat",
        impact="minor",
        body="Looking.",
        component_statuses={world.chat: "degraded_performance"},
    )

    page = client.get(f"/incidents/{incident.public_id}").content.decode()
    admin = operator_client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()

    assert "<dt>How we detected it</dt><dd>Reported by our team</dd>" in page
    assert "How we detected it: Reported by our team" in admin and "{&quot;method" not in admin


def test_records_of_other_shapes_are_worded_or_left_out():
    facts = detection.facts({
        "method": "automatic",
        "monitors": ["chat (stream)", {"id": 4, "status": "down"}, {"name": "chat", "status": ["x"]}],
        "lead_seconds": 45,  # the name the lead had before automation's lead_s
        "lead_s": float("nan"),  # worded from the other key rather than failing
        "confirmed_at": "not a time",
        "monitor_id": 4,
        "extra": {"nested": "record"},
        "retries": [1, 2],
        "flagged": True,
    })  # fmt: skip

    worded = [(f.label, detection.text(f, _exact)) for f in facts]

    assert worded == [  # how, what, when, then what nobody worded (ids and structures left out)
        ("How we detected it", "Automatically"),
        ("Monitors", "chat (stream); chat"),
        ("Confirmed at", "not a time"),
        ("Seen before the provider's own page by", "45 seconds"),
        ("Retries", "1; 2"),
        ("Flagged", "Yes"),
    ]
    assert detection.facts(["not", "a", "record"]) == [] and detection.facts(None) == []
