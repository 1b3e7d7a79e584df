"""The engine never raises, never overruns a probe's deadline, and never lets a key out."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from monitors import engine
from monitors.outcomes import Outcome as O
from monitors.probes import http
from probes.kit import KEY, chat_spec, make_spec, probe, probe_all
from tests.fakefleet import FakeFleet


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection(fleet: FakeFleet) -> None:
    obs = probe(make_spec(url=f"http://127.0.0.1:{free_port()}/v1"))
    assert (obs.outcome, obs.error_type) == (O.CONNECT_ERROR, "connection_refused")


def test_dns_failure() -> None:
    obs = probe(make_spec(url="http://nonexistent.invalid/v1"))
    assert (obs.outcome, obs.error_type) == (O.CONNECT_ERROR, "dns_error")


def test_tls_failure(fleet: FakeFleet) -> None:
    https = fleet.api_base("openai-sim").replace("http://", "https://")
    obs = probe(make_spec(url=https))
    assert (obs.outcome, obs.error_type) == (O.CONNECT_ERROR, "tls_error")


def test_connect_timeout() -> None:
    # A listener that never accepts, its backlog already full: the kernel drops further SYNs.
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        obs = probe(make_spec(url=f"http://127.0.0.1:{port}/v1", connect_timeout_s=0.3))
        for filler in fillers:
            filler.close()
    assert obs.outcome == O.TIMEOUT_CONNECT, obs.message


def test_garbage_instead_of_http(raw_server) -> None:
    server = raw_server(lambda conn: conn.sendall(b"\x00\xff this is not HTTP \r\n\r\n"))
    obs = probe(make_spec(url=server.url))
    assert (obs.outcome, obs.error_type) == (O.MALFORMED, "RemoteProtocolError")


def test_oversized_headers(raw_server) -> None:
    server = raw_server(
        lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
    )
    assert probe(make_spec(url=server.url)).outcome == O.MALFORMED


def test_slowloris_headers_cannot_outlast_the_deadline(raw_server) -> None:
    def drip(conn) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 100:
            conn.sendall(bytes([byte]))
            time.sleep(0.05)

    server = raw_server(drip)
    started = time.perf_counter()
    obs = probe(make_spec(url=server.url, timeout_s=1.0, ttft_timeout_s=0.5))
    assert obs.outcome == O.TIMEOUT_TTFT
    assert time.perf_counter() - started < 3.0  # the drip alone would take 5 s


def test_a_hanging_endpoint_does_not_hold_up_the_batch(fleet: FakeFleet) -> None:
    hang = chat_spec(
        fleet, "openai-sim", monitor_id=0, timeout_s=1.5, ttft_timeout_s=1.5, headers={"X-Fake-Fault": "hang"}
    )
    healthy = [chat_spec(fleet, "openai-sim", monitor_id=n, stream=True) for n in range(1, 21)]
    started = time.perf_counter()
    observations = engine.run_batch_sync([hang, *healthy], concurrency=4, region="eu")
    elapsed = time.perf_counter() - started
    assert [o.monitor_id for o in observations] == list(range(21))
    assert observations[0].outcome == O.TIMEOUT_TTFT
    assert all(o.outcome == O.OK for o in observations[1:])
    assert {o.region for o in observations} == {"eu"}
    assert elapsed < 1.5 + 3.0  # the hang's own deadline (slack for a loaded machine), not for ever


def test_a_crashing_probe_becomes_an_observation(fleet: FakeFleet, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(spec, client):
        return {}["missing"]

    monkeypatch.setattr(http, "run", broken)
    crashed, fine = probe_all([make_spec(kind="http"), chat_spec(fleet, "openai-sim", monitor_id=2)])
    assert (crashed.outcome, crashed.error_type) == (O.MALFORMED, "KeyError")
    assert crashed.message == "probe crashed: KeyError: 'missing'"
    assert fine.outcome == O.OK


def test_unknown_kind_is_our_misconfiguration() -> None:
    obs = probe(make_spec(kind="carrier-pigeon"))
    assert (obs.outcome, obs.error_type) == (O.CLIENT_ERROR, "bad_options")


def test_an_invalid_url_is_our_misconfiguration() -> None:
    assert probe(make_spec(url="ftp://example.invalid/v1")).outcome == O.CLIENT_ERROR


def test_wrong_key_never_appears(fleet: FakeFleet) -> None:
    secret = "sk-proj-ThisIsMySecretKey0123456789"
    obs = probe(chat_spec(fleet, "openai-sim", api_key=secret))
    assert obs.outcome == O.AUTH_ERROR
    assert_clean(obs, secret)


def test_a_body_echoing_the_key_is_redacted(raw_server) -> None:
    secret = "opaque-key-without-a-known-shape-42"

    def echo(conn) -> None:
        body = f'{{"error": {{"message": "Incorrect API key provided: {secret}", "type": "{secret}"}}}}'
        head = f"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        conn.sendall(f"{head}\r\n\r\n{body}".encode())

    for kind in ("openai", "anthropic", "gemini"):
        obs = probe(make_spec(kind=kind, url=raw_server(echo).url, model="m", api_key=secret))
        assert obs.outcome == O.AUTH_ERROR
        assert_clean(obs, secret)


def test_secrets_in_extra_headers_are_redacted_too(raw_server) -> None:
    def echo(conn) -> None:
        body = b'{"error": {"message": "bad token Zm9vYmFyYmF6cXV4", "type": "x"}}'
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    obs = probe(make_spec(url=raw_server(echo).url, headers={"X-Custom-Token": "Zm9vYmFyYmF6cXV4"}))
    assert_clean(obs, "Zm9vYmFyYmF6cXV4")


def assert_clean(obs, secret: str) -> None:
    assert secret not in obs.message and secret not in obs.error_type and secret not in str(obs.details)
    assert KEY not in obs.message or secret == KEY


def test_probe_starts_are_spaced_so_a_batch_does_not_begin_as_one_burst() -> None:
    async def starts() -> list[float]:
        pacer, loop, began = engine.Pacer(0.002), asyncio.get_running_loop(), []

        async def start() -> None:
            await pacer.turn()
            began.append(loop.time())

        await asyncio.gather(*(start() for _ in range(10)))
        return began

    began = asyncio.run(starts())
    # The n-th start comes no sooner than n spacings after the first (a busy loop may run it later).
    assert all(at - began[0] >= n * 0.002 - 1e-6 for n, at in enumerate(began))


def test_a_probe_starts_at_its_due_time_and_a_late_one_at_once(fleet: FakeFleet) -> None:
    now = time.time()
    due_later, overdue = now + 0.4, now - 30
    later, late = probe_all(
        [
            chat_spec(fleet, "openai-sim", not_before=due_later),
            chat_spec(fleet, "openai-sim", not_before=overdue),
        ]
    )
    assert later.outcome is O.OK and later.started_at.timestamp() >= due_later
    assert late.outcome is O.OK and late.started_at.timestamp() < due_later
