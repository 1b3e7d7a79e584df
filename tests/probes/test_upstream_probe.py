"""The upstream probe stores what the provider's own status page claims, beside our measurements."""

from __future__ import annotations

from monitors.outcomes import Outcome as O
from probes.kit import make_spec, probe
from tests.fakefleet import FakeFleet


def upstream(url: str):
    return make_spec(kind="upstream", url=url)


def test_summary_claims_are_stored(reset_fleet: FakeFleet) -> None:
    reset_fleet.control.update("anthropic-sim", upstream_status="major_outage")
    obs = probe(upstream(reset_fleet.url("anthropic-sim")))
    assert (obs.outcome, obs.message) == (O.OK, "critical: Major Service Outage")
    assert obs.details["indicator"] == "critical"
    assert obs.details["components"] == {"API": "major_outage", "Console": "operational"}
    [incident] = obs.details["incidents"]
    assert incident["status"] == "investigating" and incident["impact"] == "critical"
    assert set(incident) == {"id", "name", "status", "impact", "created_at"}


def test_operational_page(fleet: FakeFleet) -> None:
    obs = probe(upstream(fleet.url("openai-sim") + "/api/v2/summary.json"))
    assert obs.details["indicator"] == "none"
    assert obs.details["incidents"] == []


def test_status_json_has_no_components(fleet: FakeFleet) -> None:
    obs = probe(upstream(fleet.url("gemini-sim") + "/api/v2/status.json"))
    assert (obs.outcome, obs.details["components"]) == (O.OK, {})


def test_a_page_that_is_not_statuspage_is_malformed(raw_server) -> None:
    def answer(conn) -> None:
        conn.sendall(
            b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status": "ok"}'
        )

    obs = probe(upstream(raw_server(answer).url + "/api/v2/summary.json"))
    assert (obs.outcome, obs.error_type) == (O.MALFORMED, "unexpected_shape")


def test_a_missing_page_is_a_client_error(fleet: FakeFleet) -> None:
    assert probe(upstream(fleet.url("openai-sim") + "/api/v2/nothing.json")).outcome == O.CLIENT_ERROR
