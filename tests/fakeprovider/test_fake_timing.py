"""Injected delays are honoured: never early, and not far late (a correctness check, not a benchmark)."""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import threading
import time

import httpx
from aiohttp import web

from monitors.fakeprovider import timing
from tests.fakefleet import FakeFleet

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


def test_delays_count_from_when_a_poll_found_the_request_not_from_when_its_handler_ran() -> None:
    """Two requests found by one poll: the second handler runs only after the first has held the loop
    for 200 ms, and must still see the poll's time, which a reply's injected delays count from."""
    waited: list[float] = []
    started, sent = threading.Event(), threading.Event()
    server: dict = {}

    async def handler(request: web.Request) -> web.Response:
        waited.append(asyncio.get_running_loop().time() - timing.arrival(request))
        time.sleep(0.2)  # a busy handler: the loop does nothing else meanwhile
        return web.Response(text="ok")

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.update(port=runner.addresses[0][1], loop=asyncio.get_running_loop(), stop=asyncio.Event())
        started.set()
        await server["stop"].wait()
        await runner.cleanup()

    def run() -> None:
        with asyncio.Runner(loop_factory=timing.new_event_loop) as runner:
            runner.run(serve())

    def hold_the_loop() -> None:  # until both requests sit in their sockets, so one poll finds both
        sent.wait(10)
        time.sleep(0.05)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert started.wait(10)
        clients = [socket.create_connection(("127.0.0.1", server["port"])) for _ in range(2)]
        time.sleep(0.1)  # both connections accepted before the loop is held
        server["loop"].call_soon_threadsafe(hold_the_loop)
        for client in clients:
            client.sendall(b"GET / HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n\r\n")
        sent.set()
        replies = [b"".join(iter(lambda c=client: c.recv(4096), b"")) for client in clients]
        assert all(reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"ok") for reply in replies)
        for client in clients:
            client.close()
    finally:
        server["loop"].call_soon_threadsafe(server["stop"].set)
        thread.join(10)
    assert max(waited) >= 0.1  # about 0.2 s for the second: it was found when the first was
