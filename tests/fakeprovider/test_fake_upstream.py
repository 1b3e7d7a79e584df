"""The provider's own Statuspage v2 page says what it is told, whatever the truth."""

from __future__ import annotations

import httpx
import pytest

from tests.fakefleet import FakeFleet


def page(http: httpx.Client, fleet: FakeFleet, name: str, provider: str = "deepseek-sim") -> dict:
    return http.get(f"{fleet.url(provider)}/api/v2/{name}.json").json()


def test_summary_has_every_key_strict_clients_index(http: httpx.Client, fleet: FakeFleet) -> None:
    summary = page(http, fleet, "summary")
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert len(summary["page"]["id"]) == 12 and summary["page"]["time_zone"] == "Etc/UTC"
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    api = summary["components"][0]
    assert (api["name"], api["status"], api["group"], api["group_id"]) == ("API", "operational", False, None)
    assert summary["incidents"] == [] and summary["scheduled_maintenances"] == []


@pytest.mark.parametrize(
    ("claim", "indicator"),
    [("degraded_performance", "minor"), ("partial_outage", "major"), ("major_outage", "critical")],
)
def test_claimed_outage_shows_component_rollup_and_open_incident(
    http: httpx.Client, fleet: FakeFleet, claim: str, indicator: str
) -> None:
    fleet.control.set("deepseek-sim", upstream_status=claim)
    summary = page(http, fleet, "summary")
    assert summary["components"][0]["status"] == claim
    assert page(http, fleet, "status")["status"]["indicator"] == indicator
    (incident,) = summary["incidents"]
    assert incident["status"] == "investigating" and incident["resolved_at"] is None
    assert incident["incident_updates"][0]["affected_components"][0]["new_status"] == claim


def test_maintenance_is_a_scheduled_maintenance_in_progress(http: httpx.Client, fleet: FakeFleet) -> None:
    fleet.control.set("deepseek-sim", upstream_status="under_maintenance")
    summary = page(http, fleet, "summary")
    assert summary["status"]["indicator"] == "maintenance" and summary["incidents"] == []
    assert summary["scheduled_maintenances"][0]["status"] == "in_progress"


def test_provider_can_fail_while_claiming_operational(http: httpx.Client, fleet: FakeFleet) -> None:
    fleet.control.set("deepseek-sim", fault="server_error", upstream_status="operational")
    assert http.get(fleet.url("deepseek-sim") + "/health").status_code == 500
    assert page(http, fleet, "status")["status"]["indicator"] == "none"


def test_components_page_and_unknown_page(http: httpx.Client, fleet: FakeFleet) -> None:
    assert [c["name"] for c in page(http, fleet, "components")["components"]] == ["API", "Console"]
    assert http.get(f"{fleet.url('deepseek-sim')}/api/v2/nothing.json").status_code == 404
