"""Every v2 document matches Statuspage's shapes field for field (reference/statuspage-api-v2.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from statuspage.api import openapi
from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.models import Incident, IncidentUpdate
from statuspage.readmodel.v2 import PATHS
from tests.api import reference as ref

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def world(make_component):
    """Groups, ungrouped components, open and resolved incidents, maintenances in every state."""
    now = timezone.now()
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    chat = make_component("Chat", group=group, position=1, description="Chat completions")
    make_component("Embeddings", group=group, position=2)
    site = make_component("Website", position=2)
    old = services.open_incident(
        name="Old outage", impact="critical", body="Down.", component_statuses={chat: "major_outage"},
        now=now - timedelta(days=2),
    )  # fmt: skip
    services.post_update(old, status="resolved", body="Fixed.", component_statuses={chat: "operational"},
                         now=now - timedelta(days=2, hours=-1))  # fmt: skip
    services.open_incident(
        name="Elevated errors", impact="major", body="Looking into it.",
        component_statuses={chat: "partial_outage"}, now=now - timedelta(minutes=5),
    )  # fmt: skip
    for status, starts in (("scheduled", 2), ("in_progress", 0), ("completed", -3)):
        m = Incident.objects.create(
            kind="maintenance", name=f"Maintenance {status}", status=status, impact="maintenance",
            scheduled_for=now + timedelta(days=starts), scheduled_until=now + timedelta(days=starts, hours=2),
        )  # fmt: skip
        m.components.set([site])
        IncidentUpdate.objects.create(incident=m, status=status, body=f"{status}.")
    return group


@pytest.mark.parametrize("path", PATHS)
def test_each_document_validates_against_our_openapi_schema(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    # Our OpenAPI schemas refer to each other as #/components/schemas/...: carry them along.
    schema = {**openapi.body_schema(path), "components": {"schemas": openapi.SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(response.json())


def test_status_json_has_exactly_the_keys_of_a_real_capture(client, world):
    data = client.get("/api/v2/status.json").json()
    assert list(data) == list(ref.CLAUDE_STATUS)
    assert set(data["page"]) == set(ref.CLAUDE_STATUS["page"])
    assert set(data["status"]) == set(ref.CLAUDE_STATUS["status"])
    assert data["page"]["time_zone"] == "Etc/UTC"
    assert ISO_MS_Z.match(data["page"]["updated_at"])


def test_incidents_have_the_keys_and_types_of_githubs_capture(client, world):
    incidents = client.get("/api/v2/incidents.json").json()["incidents"]
    captured = ref.GITHUB_INCIDENT
    for incident in incidents:
        assert set(incident) == set(captured)
        _same_types(incident, captured)
        for update in incident["incident_updates"]:
            assert set(update) == set(captured["incident_updates"][0])
        for component in incident["components"]:
            assert set(component) == set(captured["components"][0])


def _same_types(ours, theirs, where="incident"):
    """Wherever both sides hold a value, it has the same JSON type (null on either side is allowed)."""
    for key, value in theirs.items():
        mine = ours[key]
        if value is None or mine is None:
            continue
        assert type(mine) is type(value), f"{where}.{key}: {type(mine).__name__} vs {type(value).__name__}"
        if isinstance(value, dict):
            _same_types(mine, value, f"{where}.{key}")
        if isinstance(value, list) and value and mine and isinstance(value[0], dict):
            _same_types(mine[0], value[0], f"{where}.{key}[0]")


def test_summary_lists_groups_flat_with_the_group_fields(client, world):
    data = client.get("/api/v2/summary.json").json()
    assert list(data) == ref.SUMMARY_KEYS
    groups = [c for c in data["components"] if c["group"]]
    assert [set(g) for g in groups] == [ref.GROUP_KEYS]
    children = [c for c in data["components"] if c["group_id"] == groups[0]["id"]]
    assert groups[0]["components"] == [c["id"] for c in children]
    assert [c["position"] for c in children] == [1, 2]


def test_enums_are_closed_sets(client, world):
    data = client.get("/api/v2/summary.json").json()
    assert data["status"]["indicator"] in ref.INDICATORS
    assert {c["status"] for c in data["components"]} <= ref.COMPONENT_STATUSES
    incidents = client.get("/api/v2/incidents.json").json()["incidents"]
    assert {i["status"] for i in incidents} <= ref.INCIDENT_STATUSES
    assert {i["impact"] for i in incidents} <= ref.IMPACTS
    maintenances = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    assert {m["status"] for m in maintenances} == {"scheduled", "in_progress", "completed"}
    assert {m["status"] for m in maintenances} <= ref.MAINTENANCE_STATUSES


def test_every_timestamp_is_utc_with_milliseconds_and_z(client, world):
    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key.endswith("_at") or key in ("scheduled_for", "scheduled_until"):
            assert value is None or ISO_MS_Z.match(value), (key, value)

    for path in PATHS:
        walk(client.get(path).json())


def test_incidents_and_their_updates_are_newest_first(client, world):
    incidents = client.get("/api/v2/incidents.json").json()["incidents"]
    assert [i["name"] for i in incidents] == ["Elevated errors", "Old outage"]
    updates = incidents[1]["incident_updates"]
    assert [u["status"] for u in updates] == ["resolved", "investigating"]
    assert incidents[1]["resolved_at"] is not None


def test_unresolved_and_maintenance_filters(client, world):
    def names(path, key):
        return [i["name"] for i in client.get(path).json()[key]]

    assert names("/api/v2/incidents/unresolved.json", "incidents") == ["Elevated errors"]
    assert names("/api/v2/summary.json", "incidents") == ["Elevated errors"]
    upcoming = names("/api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances")
    assert upcoming == ["Maintenance scheduled"]
    active = names("/api/v2/scheduled-maintenances/active.json", "scheduled_maintenances")
    assert active == ["Maintenance in_progress"]
    summary = set(names("/api/v2/summary.json", "scheduled_maintenances"))
    assert summary == {"Maintenance scheduled", "Maintenance in_progress"}
    assert client.get("/api/v2/summary.json").json()["status"]["indicator"] == "major"


def test_maintenances_carry_their_window_and_incidents_do_not(client, world):
    maintenance = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"][0]
    assert ISO_MS_Z.match(maintenance["scheduled_for"]) and ISO_MS_Z.match(maintenance["scheduled_until"])
    incident = client.get("/api/v2/incidents.json").json()["incidents"][0]
    assert "scheduled_for" not in incident


def test_incident_components_are_the_same_objects_as_the_component_list(client, world):
    data = client.get("/api/v2/summary.json").json()
    listed = {c["id"]: c for c in data["components"]}
    for component in data["incidents"][0]["components"]:
        assert component == listed[component["id"]]


def test_lists_stop_at_the_50_most_recent(client, world):
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(name=f"n{i}", status="resolved", created_at=now + timedelta(seconds=i), resolved_at=now)
        for i in range(60)
    )
    incidents = client.get("/api/v2/incidents.json").json()["incidents"]
    assert len(incidents) == 50
    assert incidents[0]["name"] == "n59"


def test_unpublished_incidents_stay_off_every_document(client, world):
    Incident.objects.create(name="Held for review", published=False)
    for path in PATHS:
        assert "Held for review" not in client.get(path).content.decode()


def test_unknown_query_strings_are_ignored(client, world):
    plain = client.get("/api/v2/summary.json")
    assert client.get("/api/v2/summary.json?page=2&foo=%ff").content == plain.content


def test_cors_preflight_is_answered(client, world):
    response = client.options("/api/v2/summary.json")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_writes_are_refused_cleanly(client, world):
    response = client.post("/api/v2/summary.json")
    assert response.status_code == 405


def test_unknown_api_paths_answer_json_404(client, db):
    for path in ("/api/v2/nothing.json", "/api/v2/summary.json/", "/api/v3/summary.json"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["status"] == 404
