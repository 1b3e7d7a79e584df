"""The control API: standing faults, error rates, refusing connections, healing."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.fakefleet import FakeFleet

AUTH = {"Authorization": "Bearer sk-fake"}
CHAT = {"model": "m", "messages": [{"role": "user", "content": "ping"}], "max_tokens": 1}


def chat_status(client: httpx.Client, fleet: FakeFleet, provider: str = "openai-sim") -> int:
    return client.post(fleet.api_base(provider) + "/chat/completions", json=CHAT, headers=AUTH).status_code


def test_standing_fault_applies_until_healed(http: httpx.Client, fleet: FakeFleet) -> None:
    fleet.control.set("openai-sim", fault="overloaded")
    assert chat_status(http, fleet) == 503
    assert chat_status(http, fleet, "deepseek-sim") == 200  # only the provider named
    fleet.control.heal("openai-sim")
    assert chat_status(http, fleet) == 200


def test_heal_keeps_the_upstream_claim(fleet: FakeFleet) -> None:
    fleet.control.set("openai-sim", fault="server_error", upstream_status="degraded_performance")
    healed = fleet.control.heal("openai-sim")["behaviour"]
    assert (healed["fault"], healed["upstream_status"]) == ("ok", "degraded_performance")


def test_put_replaces_and_patch_merges(fleet: FakeFleet) -> None:
    fleet.control.set("openai-sim", fault="overloaded", latency_ms=5)
    assert fleet.control.update("openai-sim", error_rate=0.5)["behaviour"]["latency_ms"] == 5
    assert fleet.control.set("openai-sim", error_rate=0.5)["behaviour"]["fault"] == "ok"


def test_listing_describes_every_provider(fleet: FakeFleet) -> None:
    providers = fleet.control.providers()
    assert set(providers) == {"openai-sim", "deepseek-sim", "anthropic-sim", "gemini-sim"}
    assert providers["gemini-sim"]["kind"] == "gemini" and providers["gemini-sim"]["listening"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"fault": "melted"},
        {"error_rate": 1.5},
        {"latency_ms": -1},
        {"tokens": "many"},
        {"upstream_status": "fine"},
        {"colour": "red"},
        {"seed": "abc"},
    ],
)
def test_junk_settings_are_refused(http: httpx.Client, fleet: FakeFleet, body: dict[str, object]) -> None:
    response = http.put(f"{fleet.control.url}/providers/openai-sim", json=body)
    assert response.status_code == 400 and response.json()["error"]


def test_unknown_provider_is_404(http: httpx.Client, fleet: FakeFleet) -> None:
    assert http.put(f"{fleet.control.url}/providers/nobody", json={}).status_code == 404


def test_error_rate_hits_that_share_of_requests_reproducibly(http: httpx.Client, fleet: FakeFleet) -> None:
    def run() -> list[int]:
        fleet.control.set("openai-sim", fault="server_error", error_rate=0.3, seed=42)
        return [chat_status(http, fleet) for _ in range(100)]

    first = run()
    assert 15 <= first.count(500) <= 45 and first.count(500) + first.count(200) == 100
    assert run() == first


def test_refuse_closes_the_port_and_open_connections(fleet: FakeFleet) -> None:
    with httpx.Client() as pooled:
        assert chat_status(pooled, fleet) == 200  # a keep-alive connection is now open
        fleet.control.set("openai-sim", fault="refuse")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", httpx.URL(fleet.url("openai-sim")).port), timeout=1)
        with pytest.raises(httpx.TransportError):
            chat_status(pooled, fleet)
        assert fleet.control.get("openai-sim")["listening"] is False
        fleet.control.heal("openai-sim")
        assert chat_status(pooled, fleet) == 200


def test_refused_provider_still_publishes_its_status_page_on_the_control_port(
    http: httpx.Client, fleet: FakeFleet
) -> None:
    fleet.control.set("anthropic-sim", fault="refuse", upstream_status="operational")
    summary = http.get(f"{fleet.control.url}/upstream/anthropic-sim/api/v2/summary.json").json()
    assert summary["status"]["indicator"] == "none"  # "all fine", says the provider, unreachable


def test_refuse_cannot_be_asked_per_request(http: httpx.Client, fleet: FakeFleet) -> None:
    response = http.get(fleet.url("openai-sim") + "/health", headers={"X-Fake-Fault": "refuse"})
    assert response.status_code == 400


def test_standing_delays_apply(http: httpx.Client, fleet: FakeFleet) -> None:
    fleet.control.set("openai-sim", latency_ms=150)
    response = http.get(fleet.url("openai-sim") + "/health")
    assert response.elapsed.total_seconds() >= 0.15
