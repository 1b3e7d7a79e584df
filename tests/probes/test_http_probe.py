"""Plain HTTP probes: conditions as data, failures that read like `status (500) < 400`."""

from __future__ import annotations

from monitors.outcomes import Outcome as O
from probes.kit import make_spec, probe
from tests.fakefleet import FakeFleet

HEALTHY = [
    {"field": "status", "op": "==", "value": 200},
    {"field": "json.status", "op": "==", "value": "ok"},
    {"field": "headers.content-type", "op": "contains", "value": "json"},
]


def health(fleet: FakeFleet, **fields):
    return make_spec(kind="http", url=fleet.url("openai-sim") + "/health", **fields)


def test_healthy_endpoint_passes_every_condition(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, options={"conditions": HEALTHY}))
    assert (obs.outcome, obs.http_status, obs.message) == (O.OK, 200, "")


def test_wrong_body_fails_the_content_check_readably(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, options={"conditions": HEALTHY}, headers={"X-Fake-Fault": "wrong_answer"}))
    assert obs.outcome == O.CONTENT_CHECK_FAILED
    assert obs.message == 'json.status ("error") == "ok"'


def test_failed_status_condition_keeps_the_status_class(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, headers={"X-Fake-Fault": "server_error"}))
    assert (obs.outcome, obs.message) == (O.SERVER_ERROR, "status (500) < 400")
    obs = probe(health(fleet, headers={"X-Fake-Fault": "overloaded"}))
    assert (obs.outcome, obs.message) == (O.OVERLOADED, "status (503) < 400")


def test_every_failure_is_listed(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, options={"conditions": HEALTHY}, headers={"X-Fake-Fault": "rate_limited"}))
    assert obs.outcome == O.RATE_LIMITED
    assert obs.message.startswith('status (429) == 200; json.status (missing) == "ok"')


def test_only_latency_failing_is_slow(fleet: FakeFleet) -> None:
    conditions = [{"field": "latency", "op": "<", "value": 50}]
    obs = probe(health(fleet, options={"conditions": conditions}, headers={"X-Fake-TTFT-Ms": "120"}))
    assert obs.outcome == O.SLOW
    assert obs.message.startswith("latency (1") and obs.message.endswith(") < 50")


def test_expect_text_checks_the_body(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, expect_text="healthy"))
    assert (obs.outcome, obs.message) == (O.CONTENT_CHECK_FAILED, 'body contains "healthy"')


def test_bad_conditions_are_our_misconfiguration(fleet: FakeFleet) -> None:
    obs = probe(health(fleet, options={"conditions": [{"field": "status", "op": "=~", "value": 200}]}))
    assert (obs.outcome, obs.error_type) == (O.CLIENT_ERROR, "bad_options")
    assert "unknown op '=~'" in obs.message


def test_cdn_page_and_dead_endpoint(fleet: FakeFleet) -> None:
    assert probe(health(fleet, headers={"X-Fake-Fault": "bad_gateway_html"})).outcome == O.CDN_ERROR
    assert probe(health(fleet, timeout_s=1.0, headers={"X-Fake-Fault": "hang"})).outcome == O.TIMEOUT_TTFT
