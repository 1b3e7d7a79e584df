"""Faults the SDKs cannot show: the wire itself misbehaving, as seen by a plain HTTP client."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.fakefleet import FakeFleet

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}], "max_tokens": 8}
AUTH = {"Authorization": "Bearer sk-fake"}


def chat(
    http: httpx.Client, fleet: FakeFleet, name: str, *, stream: bool = False, timeout: float = 5.0
) -> httpx.Response:
    return http.post(
        fleet.api_base("openai-sim") + "/chat/completions",
        json={**CHAT, "stream": stream},
        headers={**AUTH, "X-Fake-Fault": name},
        timeout=timeout,
    )


def test_hang_never_sends_headers(http: httpx.Client, fleet: FakeFleet) -> None:
    with pytest.raises(httpx.ReadTimeout):
        chat(http, fleet, "hang", timeout=0.3)


def test_reset_aborts_the_connection(http: httpx.Client, fleet: FakeFleet) -> None:
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        chat(http, fleet, "reset")


def test_slowloris_trickles_a_byte_per_beat(http: httpx.Client, fleet: FakeFleet) -> None:
    url = fleet.api_base("openai-sim") + "/chat/completions"
    headers = {**AUTH, "X-Fake-Fault": "slowloris"}
    with http.stream("POST", url, json=CHAT, headers=headers, timeout=2.0) as response:
        assert response.status_code == 200
        started = time.monotonic()
        chunks = response.iter_raw()
        assert [next(chunks), next(chunks)] == [b" ", b" "]
        # Trickled, not sent at once (lower bound only: a loaded machine can only make it slower).
        assert time.monotonic() - started >= 1.5 * fleet.beat_s


def test_bad_gateway_is_a_cloudflare_html_page(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "bad_gateway_html")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["server"] == "cloudflare" and response.headers["cf-ray"]
    assert "<title>api.openai.com | 502: Bad gateway</title>" in response.text
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_cdn_520_has_no_body(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "cdn_520_empty")
    assert (response.status_code, response.content, response.headers["server"]) == (520, b"", "cloudflare")


def test_malformed_body_is_not_json(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "malformed")
    assert response.status_code == 200 and response.text.startswith('{"id":"chatcmpl-')
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_malformed_stream_has_a_broken_frame(http: httpx.Client, fleet: FakeFleet) -> None:
    frames = [
        line[6:]
        for line in chat(http, fleet, "malformed", stream=True).text.splitlines()
        if line.startswith("data: ")
    ]
    with pytest.raises(json.JSONDecodeError):
        [json.loads(frame) for frame in frames if frame != "[DONE]"]


def test_truncated_body_breaks_off(http: httpx.Client, fleet: FakeFleet) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        chat(http, fleet, "truncate")


def test_truncated_stream_ends_without_done(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "truncate", stream=True)
    assert response.status_code == 200 and '"content":"pong"' in response.text
    assert "[DONE]" not in response.text and '"finish_reason":"stop"' not in response.text


def test_stall_sends_a_few_tokens_then_silence(http: httpx.Client, fleet: FakeFleet) -> None:
    url = fleet.api_base("openai-sim") + "/chat/completions"
    headers = {**AUTH, "X-Fake-Fault": "stall"}
    received = []
    with pytest.raises(httpx.ReadTimeout):  # noqa: SIM117 - the timeout fires inside the stream
        with http.stream(
            "POST", url, json={**CHAT, "stream": True}, headers=headers, timeout=0.5
        ) as response:
            received.extend(response.iter_lines())
    assert sum('"content":"' in line for line in received) == 4  # role chunk + 3 tokens
    assert not any("[DONE]" in line for line in received)


@pytest.mark.parametrize(
    ("provider", "beat"), [("openai-sim", ": keep-alive"), ("anthropic-sim", "event: ping")]
)
def test_stall_keepalive_keeps_bytes_flowing_without_content(
    http: httpx.Client, fleet: FakeFleet, provider: str, beat: str
) -> None:
    path = "/chat/completions" if fleet.kind(provider) == "openai" else "/v1/messages"
    headers = {**AUTH, "anthropic-version": "2023-06-01", "X-Fake-Fault": "stall_keepalive"}
    url = fleet.api_base(provider) + path
    after_content: list[str] = []
    with http.stream("POST", url, json={**CHAT, "stream": True}, headers=headers, timeout=3) as response:
        for line in response.iter_lines():
            if after_content or "pong" in line:
                after_content.append(line)
            if after_content.count(beat) == 2:
                break
    assert "pong" in after_content[0]
    assert not any("DONE" in line or "stop" in line for line in after_content)


def test_stall_keepalive_without_stream_sends_blank_lines(http: httpx.Client, fleet: FakeFleet) -> None:
    url = fleet.api_base("openai-sim") + "/chat/completions"
    with http.stream("POST", url, json=CHAT, headers={**AUTH, "X-Fake-Fault": "stall_keepalive"}) as response:
        assert next(response.iter_raw()) == b"\n"


def test_huge_body_is_megabytes_of_valid_json(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "huge")
    assert len(response.content) > 4_000_000
    assert response.json()["choices"][0]["message"]["content"].startswith(" lorem")


def test_health_endpoint_obeys_faults(http: httpx.Client, fleet: FakeFleet) -> None:
    health = fleet.url("openai-sim") + "/health"
    assert http.get(health).json() == {"status": "ok"}
    assert http.get(health, headers={"X-Fake-Fault": "overloaded"}).status_code == 503
    assert http.get(health, headers={"X-Fake-Fault": "wrong_answer"}).json() == {"status": "error"}
    assert http.get(health, headers={"X-Fake-Fault": "empty"}).content == b""


def test_models_endpoint_obeys_faults(http: httpx.Client, fleet: FakeFleet) -> None:
    url = fleet.api_base("openai-sim") + "/models"
    assert http.get(url, headers={**AUTH, "X-Fake-Fault": "rate_limited"}).status_code == 429
    assert http.get(url).status_code == 401


def test_bad_fake_header_is_refused_plainly(http: httpx.Client, fleet: FakeFleet) -> None:
    response = chat(http, fleet, "no_such_fault")
    assert response.status_code == 400 and "unknown fault" in response.json()["fake_provider_error"]
