"""`make run` restarts an embedded server that dies (logged, with a growing pause), and its Ctrl-C
still stops everything, restarted servers included."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator

import pytest
import redis

from statuspage.run.embedded import EmbeddedRedis, Supervisor, port_in_use
from tests.processes import wait_for

pytestmark = pytest.mark.faults


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def supervised(tmp_path) -> Iterator[tuple[EmbeddedRedis, Supervisor]]:
    server = EmbeddedRedis(tmp_path / "redis", free_port())
    server.start()
    supervisor = Supervisor([server], min_delay_s=0.2, poll_s=0.1)
    supervisor.start()
    try:
        yield server, supervisor
    finally:
        supervisor.stop()  # as make run's exit stack does: the watch ends first, then the server
        server.stop()


def test_a_killed_embedded_redis_comes_back_with_its_data(supervised, capfd):
    server, _ = supervised
    client = redis.Redis(port=server.port)
    client.rpush("queued", "a task")
    wait_for(lambda: b"queued" in (server.root / "appendonly.aof").read_bytes(), "the append-only file")
    first = server.process

    first.send_signal(signal.SIGKILL)
    err: list[str] = []

    def logged_back() -> bool:
        err.append(capfd.readouterr().err)
        return f"supervise: embedded redis is back on port {server.port}" in "".join(err)

    wait_for(logged_back, "the restart")

    assert server.process is not first and client.lrange("queued", 0, -1) == [b"a task"]
    assert "supervise: embedded redis exited with code -9; restarting in 0.2s" in "".join(err)


def test_stopping_stops_a_restarted_server_for_good(supervised):
    server, supervisor = supervised
    first = server.process
    first.send_signal(signal.SIGKILL)
    wait_for(lambda: server.process is not first and port_in_use(server.port), "the restart")

    supervisor.stop()
    server.stop()

    assert server.process.poll() is not None and not port_in_use(server.port)
