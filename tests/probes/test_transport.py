"""The probes' client: pooled connections within a batch, no shared cookies, tokens timed at the socket."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from monitors import engine
from monitors.outcomes import Outcome as O
from monitors.probes import transport
from probes.kit import RawServer, chat_spec, make_spec, probe, read_request
from tests.fakefleet import FakeFleet

ROOT = Path(__file__).resolve().parents[2]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class KeepAliveServer(RawServer):
    """Answers `answers` requests per connection (keep-alive), then closes on the next one unanswered."""

    def __init__(self, answers: int = 1_000, head: bytes = OK) -> None:
        self.answers, self.head = answers, head
        self.connections = 0
        self._lock = threading.Lock()
        super().__init__(self._serve_connection)

    def _handle(self, conn: socket.socket) -> None:  # every request on the connection, not just one
        with self._lock:
            self.connections += 1
        try:
            with conn:
                conn.settimeout(5)
                for _ in range(self.answers):
                    if not (request := _next_request(conn)):
                        return
                    self.requests.append(request)
                    conn.sendall(self.head)
                if request := _next_request(conn):
                    self.requests.append(request)  # heard, never answered: the connection just closes
        except OSError:
            return

    def _serve_connection(self, conn: socket.socket) -> None:
        raise AssertionError("_handle serves whole connections")


def _next_request(conn: socket.socket) -> bytes:
    """The next request on the connection, or b"" once the client has closed it."""
    request = read_request(conn)
    return b"" if request == b"\r\n\r\n" else request


def test_a_batch_reuses_connections_and_times_the_ones_it_opens() -> None:
    server = KeepAliveServer()
    try:
        specs = [make_spec(kind="http", url=server.url, monitor_id=n) for n in range(12)]
        observations = engine.run_batch_sync(specs, concurrency=3, region="test")
    finally:
        server.close()
    assert {o.outcome for o in observations} == {O.OK}
    assert server.connections <= 3
    opened = [o for o in observations if o.connect_ms is not None]
    assert 1 <= len(opened) == server.connections


def test_without_reuse_every_probe_opens_its_own_connection() -> None:
    server = KeepAliveServer()
    try:
        specs = [make_spec(kind="http", url=server.url, monitor_id=n) for n in range(6)]
        observations = asyncio.run(
            engine.run_batch(specs, concurrency=2, region="test", reuse_connections=False)
        )
    finally:
        server.close()
    assert server.connections == 6
    assert all(o.outcome == O.OK and o.connect_ms is not None for o in observations)


def test_a_pooled_connection_the_server_dropped_is_retried_once_on_a_new_one() -> None:
    # Each connection answers one request and drops the next: the second probe (a POST, which aiohttp
    # never retries itself) goes out on the pooled connection just as the server lets go of it.
    server = KeepAliveServer(answers=1)
    try:
        post = {"method": "POST"}
        specs = [make_spec(kind="http", url=server.url, monitor_id=n, options=post) for n in (1, 2)]
        observations = engine.run_batch_sync(specs, concurrency=1, region="test")
    finally:
        server.close()
    assert [o.outcome for o in observations] == [O.OK, O.OK]
    assert (len(server.requests), server.connections) == (3, 2)


def test_a_new_connection_that_breaks_is_not_retried() -> None:
    server = KeepAliveServer(answers=0)
    try:
        obs = probe(make_spec(kind="http", url=server.url, options={"method": "POST"}))
    finally:
        server.close()
    assert obs.outcome == O.CONNECT_ERROR
    assert (len(server.requests), server.connections) == (1, 1)


def test_cookies_set_for_one_probe_are_never_sent_by_the_next() -> None:
    head = b"HTTP/1.1 200 OK\r\nSet-Cookie: session=abc123; Path=/\r\nContent-Length: 2\r\n\r\n{}"
    server = KeepAliveServer(head=head)
    url = server.url.replace("127.0.0.1", "localhost")  # cookie jars refuse cookies from IP addresses
    try:
        specs = [make_spec(kind="http", url=url, monitor_id=n) for n in range(3)]
        engine.run_batch_sync(specs, concurrency=1, region="test")
    finally:
        server.close()
    assert len(server.requests) == 3
    assert not any(b"abc123" in request for request in server.requests)


def test_a_redirect_does_not_carry_the_cookie_it_was_given(raw_server) -> None:
    def serve(conn) -> None:
        if server.requests[-1].startswith(b"GET /next "):
            conn.sendall(OK)
        else:
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: /next\r\nSet-Cookie: session=abc123; Path=/\r\n"
                b"Content-Length: 0\r\n\r\n"
            )

    server = raw_server(serve)
    url = server.url.replace("127.0.0.1", "localhost")
    obs = probe(make_spec(kind="http", url=url, options={"follow_redirects": True}))
    assert (obs.outcome, obs.http_status, len(server.requests)) == (O.OK, 200, 2)
    assert b"abc123" not in server.requests[1]


def test_redirects_are_followed_when_asked(raw_server) -> None:
    target = raw_server(lambda conn: conn.sendall(OK))
    redirect = f"HTTP/1.1 302 Found\r\nLocation: {target.url}/moved\r\nContent-Length: 0\r\n\r\n".encode()
    origin = raw_server(lambda conn: conn.sendall(redirect))
    status_200 = {"conditions": [{"field": "status", "op": "==", "value": 200}]}
    followed = probe(make_spec(kind="http", url=origin.url, options={**status_200, "follow_redirects": True}))
    assert (followed.outcome, followed.http_status) == (O.OK, 200)
    assert target.requests[0].startswith(b"GET /moved ")
    not_followed = probe(make_spec(kind="http", url=origin.url, options=status_200))
    assert (not_followed.outcome, not_followed.message) == (O.CONTENT_CHECK_FAILED, "status (302) == 200")


def test_a_token_is_timed_when_it_reaches_the_socket_not_when_a_busy_loop_reads_it(fleet: FakeFleet) -> None:
    # The first token is due 300 ms after the request goes out (a few ms in). The loop is blocked from
    # 100 to 500 ms; when it wakes, the socket's bytes are handled first, then a timer due at 480 ms
    # blocks it until 800 ms, before the probe's task can read the token. Timed at the socket, TTFT
    # reads about 500 ms; timed by the task, about 800. (Any event loop: here asyncio's default.)
    spec = chat_spec(fleet, "openai-sim", stream=True, headers={"X-Fake-TTFT-Ms": "300"})
    assert probe(spec).outcome == O.OK  # warm: imports and the like must not shift the timeline below

    async def busy_batch():
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, time.sleep, 0.4)
        loop.call_later(0.48, time.sleep, 0.3)
        return await engine.run_batch([spec], concurrency=1, region="test")

    (obs,) = asyncio.run(busy_batch())
    assert obs.outcome == O.OK
    assert 300 <= obs.ttft_ms < 650


def test_on_the_engines_loop_a_token_is_timed_by_the_poll_that_found_it(fleet: FakeFleet) -> None:
    # As above, but the second block is queued ahead of the socket's own callback in the iteration
    # that finds the token, so even the socket callback runs at 800 ms: only the poll saw it at 500.
    spec = chat_spec(fleet, "openai-sim", stream=True, headers={"X-Fake-TTFT-Ms": "300"})
    assert probe(spec).outcome == O.OK

    def block_then_queue_another() -> None:
        time.sleep(0.4)
        asyncio.get_running_loop().call_soon(time.sleep, 0.3)

    async def busy_batch():
        asyncio.get_running_loop().call_later(0.1, block_then_queue_another)
        return await engine.run_batch([spec], concurrency=1, region="test")

    with asyncio.Runner(loop_factory=transport.new_event_loop) as runner:
        (obs,) = runner.run(busy_batch())
    assert obs.outcome == O.OK
    assert 300 <= obs.ttft_ms < 650


def test_the_registry_loads_no_http_client_until_a_probe_runs() -> None:
    code = (
        "import sys, monitors.probes, monitors.probes.base; "
        "print(sorted(m for m in ('httpx', 'aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
