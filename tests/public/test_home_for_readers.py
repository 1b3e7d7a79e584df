"""The home page a reader expects: Subscribe at the top, past incidents day by day, honest uptime
labels, and one story told by the banner and the cards while an incident is being monitored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_subscribe_is_in_the_header(client, db):
    html = home(client)
    header = html[html.index('<header class="masthead">') : html.index("</header>")]
    assert '<a class="button" href="/subscribe">Subscribe</a>' in header


def test_past_incidents_list_fifteen_days_quiet_ones_included(client, make_component):
    chat = make_component("Chat")
    services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat",
            impact="major",
            body="Looking.",
            component_statuses={chat: "partial_outage"},
        ),
        now=timezone.now() - timedelta(days=3),
    )
    html = home(client)
    past = html[html.index('id="h-past"') :]
    assert past.count('<div class="past-day">') == 15
    assert "No incidents reported today." in past and past.count("No incidents reported.") == 13
    day = (timezone.now() - timedelta(days=3)).strftime("%b %-d, %Y")
    assert past.index(day) < past.index("Elevated errors on Chat")


def test_uptime_says_since_when_a_component_was_watched_less_than_the_range(client, make_component):
    chat = make_component("Chat", showcase=True, created_at=timezone.now() - timedelta(days=1, hours=1))
    html = home(client)
    row = html[html.index(f'id="c-{chat.public_id}"') :]
    since = (timezone.now() - timedelta(days=1, hours=1)).strftime("%b %-d")
    assert f"uptime since {since}" in row and "30 d " not in row.split("</li>")[0]


def test_while_monitoring_the_cards_agree_with_the_operational_banner(client, make_component):
    chat = make_component("Chat")
    incident = services.open_incident(
        IncidentDraft(
            name="Outage of Chat", impact="critical", body="Down.", component_statuses={chat: "major_outage"}
        )
    )
    services.post_update(
        incident, UpdateDraft(status="monitoring", body="Back.", component_statuses={chat: "operational"})
    )
    html = home(client)
    assert "All Systems Operational" in html and "we are watching one recent incident" in html
    card = html[html.index('class="card impact-critical is-monitoring"') :]
    assert "Recovered, monitoring" in card.split("</article>")[0]
    assert '<span class="tag">Critical</span>' not in html


def test_follow_this_incident_ticks_its_components_on_the_subscribe_form(client, make_component):
    chat = make_component("Chat")
    make_component("Embeddings")
    services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat",
            impact="major",
            body="Looking.",
            component_statuses={chat: "partial_outage"},
        )
    )
    html = home(client)
    assert f'<a href="/subscribe?component={chat.public_id}">Follow this incident</a>' in html
    form = client.get(f"/subscribe?component={chat.public_id}").content.decode()
    assert f'value="{chat.public_id}" id="id_components_0" checked' in form or (
        f'value="{chat.public_id}"' in form and "checked" in form.split(f'value="{chat.public_id}"')[1][:80]
    )
    assert 'value="some"' in form and "checked" in form.split('value="some"')[1][:60]
