"""/api/v2/summary.json in the Statuspage v2 shape (reference/statuspage-api-v2.md §1)."""

import re

import pytest
from django.db import connection

from statuspage.components.models import ComponentGroup
from statuspage.incidents.models import Incident, IncidentUpdate

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
    "start_date", "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip


@pytest.fixture
def page(make_component):
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    chat = make_component("Chat", group=group, position=1, status="partial_outage")
    make_component("Models", group=group, position=2)
    make_component("Website", position=2)
    incident = Incident.objects.create(name="Elevated errors", status="investigating", impact="major")
    incident.components.set([chat])
    IncidentUpdate.objects.create(incident=incident, status="investigating", body="Looking into it.")
    return group


def test_summary_has_every_key_of_the_v2_shape(client, page):
    response = client.get("/api/v2/summary.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert list(data) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert set(data["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    assert ISO_MS_Z.match(data["page"]["updated_at"])
    assert data["status"] == {"indicator": "major", "description": "Partial System Outage"}


def test_groups_are_flat_entries_with_child_ids_and_positions_restart(client, page):
    components = client.get("/api/v2/summary.json").json()["components"]
    group = next(c for c in components if c["group"])
    children = [c for c in components if c["group_id"] == group["id"]]
    assert group["components"] == [c["id"] for c in children]
    assert group["status"] == "partial_outage"
    assert [c["position"] for c in children] == [1, 2]
    assert all(set(c) == COMPONENT_KEYS for c in children)
    top = [c for c in components if c["group_id"] is None]
    assert [c["position"] for c in top] == [1, 2]


def test_unresolved_incidents_carry_updates_and_components(client, page):
    incident = client.get("/api/v2/summary.json").json()["incidents"][0]
    assert incident["status"] == "investigating" and incident["resolved_at"] is None
    assert incident["shortlink"].endswith(f"/incidents/{incident['id']}")
    assert [u["body"] for u in incident["incident_updates"]] == ["Looking into it."]
    assert [c["name"] for c in incident["components"]] == ["Chat"]


def test_empty_page_still_has_every_list(client, db):
    data = client.get("/api/v2/summary.json").json()
    assert data["components"] == [] and data["incidents"] == [] and data["scheduled_maintenances"] == []
    assert data["status"]["indicator"] == "none"


def test_page_id_is_this_installations_own_and_kept(client, page):
    with connection.cursor() as cursor:
        cursor.execute("SELECT page_id FROM statuspage_installation")
        [(stored,)] = cursor.fetchall()
    data = client.get("/api/v2/summary.json").json()

    assert data["page"]["id"] == stored != "statuspage01"
    assert re.fullmatch(r"[a-z0-9]{12}", stored)
    assert {c["page_id"] for c in data["components"]} == {stored}
