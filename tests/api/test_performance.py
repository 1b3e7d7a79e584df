"""/api/components/<id>/performance.json: the charts' series as JSON, described by the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from statuspage.api import openapi
from statuspage.lib import pageversion

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(make_component, make_monitor):
    monitor = make_monitor(regions=["eu", "us"])
    at = timezone.now() - timedelta(minutes=4)
    ok = {"ttft_ms": 300.0, "total_ms": 900.0, "tokens_per_s": 60.0, "http_status": 200}
    record(
        [
            Observation(monitor_id=monitor.pk, outcome=Outcome.OK, started_at=at, region="eu", **ok),
            Observation(monitor_id=monitor.pk, outcome=Outcome.OVERLOADED, started_at=at, region="us"),
        ]
    )
    return make_component("Chat", monitors=[monitor])


def validate(document: dict) -> None:
    schema = {"$ref": "#/components/schemas/Performance", "components": {"schemas": openapi.SCHEMAS}}
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize("name", ["1h", "24h", "7d", "30d", "90d"])
def test_each_range_validates_against_the_openapi_schema(client, chat, name):
    response = client.get(f"/api/components/{chat.public_id}/performance.json", {"range": name})
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    validate(document)
    assert document["range"] == name and document["summary"]["probes"] == 2
    assert document["summary"]["outcomes"] == {"ok": 1, "overloaded": 1}
    assert document["summary"]["success_rate"] == 0.5
    assert set(document["regions"]) == {"eu", "us"}


def test_the_default_range_is_a_day(client, chat):
    document = client.get(f"/api/components/{chat.public_id}/performance.json").json()
    assert document["range"] == "24h" and len(document["series"]) == 24 and document["step_seconds"] == 3600


def test_an_unknown_range_is_a_clear_400(client, chat):
    response = client.get(f"/api/components/{chat.public_id}/performance.json", {"range": "2y"})
    assert response.status_code == 400
    assert "1h, 24h, 7d, 30d, 90d" in response.json()["error"]["message"]


@pytest.mark.parametrize("public_id", ["nosuchthing1", "NOT-AN-ID"])
def test_an_unknown_component_is_a_json_404(client, db, public_id):
    response = client.get(f"/api/components/{public_id}/performance.json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_answers_are_cached_per_page_version(client, chat, make_monitor):
    url = f"/api/components/{chat.public_id}/performance.json"
    first = client.get(url)
    at = timezone.now() - timedelta(minutes=1)
    record([Observation(monitor_id=chat.monitors.get().pk, outcome=Outcome.OK, started_at=at, region="eu")])
    assert client.get(url)["ETag"] == first["ETag"]  # the same snapshot: the same answer
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    pageversion.bump()
    again = client.get(url)
    assert again["ETag"] != first["ETag"] and again.json()["summary"]["probes"] == 3


def test_the_openapi_document_describes_the_endpoint(client, db):
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/components/{id}/performance.json"]["get"]
    assert operation["parameters"][1]["schema"]["enum"] == ["1h", "24h", "7d", "30d", "90d"]
