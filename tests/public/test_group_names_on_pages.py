"""Every provider has a "Chat": outside its group's own block a component is named with its group
("deepseek-sim · Chat"); one without a group keeps its bare name. The v2 API keeps the bare name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from statuspage.components.models import Component, ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.incidents.models import Incident


@pytest.fixture
def incident(make_component) -> Incident:
    deepseek = ComponentGroup.objects.create(name="deepseek-sim", position=1)
    openai = ComponentGroup.objects.create(name="openai-sim", position=2)
    chat = make_component("Chat", group=deepseek)
    make_component("Models API", group=deepseek)
    make_component("Chat", group=openai)
    website = make_component("Website", position=3)
    return services.open_incident(
        IncidentDraft(
            name="Elevated errors",
            impact="major",
            body="Looking.",
            component_statuses={chat: "partial_outage", website: "degraded_performance"},
        )
    )


def _deepseek_chat() -> Component:
    return Component.objects.get(name="Chat", group__name="deepseek-sim")


def test_the_active_incident_card_names_the_group(client, incident):
    html = client.get("/").content.decode()

    assert '<p class="affects">Affects: deepseek-sim · Chat, Website</p>' in html


def test_the_incident_page_names_the_group_in_its_facts_and_timeline(client, incident):
    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    chat, website = _deepseek_chat(), Component.objects.get(name="Website")
    assert (
        f'<dt>Affected components</dt><dd><a href="/components/{chat.public_id}">deepseek-sim · Chat</a>, '
        f'<a href="/components/{website.public_id}">Website</a></dd>'
    ) in html
    assert "<li>deepseek-sim · Chat: Operational → Partial outage</li>" in html
    assert "<li>Website: Operational → Degraded performance</li>" in html


def test_a_component_deleted_since_keeps_the_name_it_had(client, incident):
    _deepseek_chat().delete()

    html = client.get(f"/incidents/{incident.public_id}").content.decode()

    assert "<li>Chat: Operational → Partial outage</li>" in html


def test_a_component_badge_names_the_group(client, incident):
    svg = ET.fromstring(client.get(f"/badge/{_deepseek_chat().public_id}.svg").content)  # noqa: S314 - ours

    assert svg.get("aria-label") == "deepseek-sim · Chat: partial outage"


def test_the_v2_api_keeps_the_bare_name(client, incident):
    chat = _deepseek_chat()

    components = client.get("/api/v2/components.json").json()["components"]
    [listed] = client.get("/api/v2/incidents.json").json()["incidents"]

    assert {c["name"] for c in components if c["id"] == chat.public_id} == {"Chat"}
    assert [c["name"] for c in listed["components"]] == ["Chat", "Website"]
    assert [c["name"] for c in listed["incident_updates"][0]["affected_components"]] == ["Chat", "Website"]
