"""Injected delays are honoured: never early, and not far late (a correctness check, not a benchmark)."""

from __future__ import annotations

import json
import statistics
import time

import httpx

from monitors.fakeprovider.testing import FakeFleet

AUTH = {"Authorization": "Bearer sk-fake"}
LATE_BY_AT_MOST_S = 0.25  # correctness, not accuracy (bench/probes.py measures that): a loaded box runs late


def stream_times(
    http: httpx.Client, fleet: FakeFleet, headers: dict[str, str], tokens: int = 3
) -> tuple[float, list[float]]:
    """Seconds from send to headers, and to each content-bearing chunk."""
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "ping"}],
        "max_tokens": tokens,
        "stream": True,
    }
    url = fleet.api_base("openai-sim") + "/chat/completions"
    started = time.perf_counter()
    with http.stream("POST", url, json=body, headers={**AUTH, **headers}) as response:
        at_headers = time.perf_counter() - started
        tokens_at = []
        for line in response.iter_lines():
            if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                tokens_at.append(time.perf_counter() - started)
    return at_headers, tokens_at


def test_ttft_is_honoured(http: httpx.Client, fleet: FakeFleet) -> None:
    measured = [stream_times(http, fleet, {"X-Fake-TTFT-Ms": "120"})[1][0] for _ in range(5)]
    assert min(measured) >= 0.120
    assert statistics.median(measured) < 0.120 + LATE_BY_AT_MOST_S


def test_latency_delays_headers_and_ttft_follows_them(http: httpx.Client, fleet: FakeFleet) -> None:
    at_headers, tokens_at = stream_times(http, fleet, {"X-Fake-Latency-Ms": "80", "X-Fake-TTFT-Ms": "60"})
    assert 0.080 <= at_headers < 0.080 + LATE_BY_AT_MOST_S
    assert 0.140 <= tokens_at[0] < 0.140 + LATE_BY_AT_MOST_S


def test_itl_spaces_the_tokens(http: httpx.Client, fleet: FakeFleet) -> None:
    _, tokens_at = stream_times(http, fleet, {"X-Fake-ITL-Ms": "50"}, tokens=4)
    # Token i is due 50 ms x i after the request; client-side gaps jitter, due times do not.
    assert len(tokens_at) == 4
    assert all(0.050 * i <= at < 0.050 * i + LATE_BY_AT_MOST_S for i, at in enumerate(tokens_at))


def test_non_streaming_reply_waits_for_ttft_and_every_token(http: httpx.Client, fleet: FakeFleet) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "ping"}], "max_tokens": 3}
    headers = {**AUTH, "X-Fake-TTFT-Ms": "100", "X-Fake-ITL-Ms": "20"}
    response = http.post(fleet.api_base("openai-sim") + "/chat/completions", json=body, headers=headers)
    assert 0.140 <= response.elapsed.total_seconds() < 0.140 + LATE_BY_AT_MOST_S
