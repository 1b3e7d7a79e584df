"""A Redis restart under a busy worker: the worker reconnects and keeps working, it does not exit.

Redis is the one `make run` embeds (statuspage.run.embedded), on a port of its own; the worker is a real
`celery worker` process pointed at it and at the test database.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from statuspage.run.embedded import EmbeddedRedis
from tests.processes import stop, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker(redis_server) -> Iterator[Celery]:
    """A client app that sends tasks to the worker by name, as beat and the web process do."""
    # Not the current app: the test process's own doorbells must keep going to the suite's broker.
    app = Celery(broker=f"redis://127.0.0.1:{redis_server.port}/0", set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    try:
        yield app
    finally:
        app.close()


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()

    def alive(self) -> bool:
        return self.process.poll() is None


@pytest.fixture
def start_worker(transactional_db, redis_server, tmp_path) -> Iterator[Callable[[], Worker]]:
    """Starts a real `celery worker` on that Redis and the test database."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "STATUSPAGE_ENV": "test",
    }
    started: list[subprocess.Popen] = []

    def start() -> Worker:
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-Q", "default",
                 "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        started.append(process)
        worker = Worker(process, log)
        wait_for(lambda: "ready." in worker.log(), "the worker to start")
        return worker

    try:
        yield start
    finally:
        for process in started:
            stop(process)
        connection.close()  # the worker's connections must be gone before the test database is flushed


@pytest.fixture
def worker(start_worker) -> Worker:
    return start_worker()


def test_worker_survives_a_redis_restart_and_runs_tasks_after_it(redis_server, broker, worker):
    # A task the worker holds unacknowledged (its countdown has not run out) when Redis goes: putting
    # it back is the step that used to crash the worker.
    held = broker.send_task("components.propagate", countdown=300, queue="default")
    wait_for(lambda: f"{held.id}] received" in worker.log(), "the worker to hold the delayed task")

    redis_server.stop()
    # The worker is past its clean-up of the lost connection once it retries, or it died in it.
    wait_for(lambda: "Cannot connect to" in worker.log() or not worker.alive(), "the worker to retry")
    assert worker.alive(), f"the worker exited when Redis stopped:\n{worker.log()}"

    redis_server.start()
    after = broker.send_task("components.propagate", queue="default")
    wait_for(lambda: f"{after.id}] succeeded" in worker.log(), "a task to run after the restart", timeout=60)
    assert worker.alive()
    assert "Unrecoverable error" not in worker.log()


class HeldReply:
    """An HTTP endpoint that answers only when released: a probe that is in flight for as long as we like."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                held.asked.set()
                held.release.wait(60)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held_reply() -> Iterator[HeldReply]:
    endpoint = HeldReply()
    try:
        yield endpoint
    finally:
        endpoint.close()


CONNECTED = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+): INFO/MainProcess\] Connected to redis")


def connected_at(log: str, after: float) -> float | None:
    """When the worker logged its (re)connection to the broker, the first time after `after`."""
    for stamp in CONNECTED.findall(log):
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if moment >= after:
            return moment
    return None


def test_a_task_running_through_a_redis_restart_is_acknowledged_and_the_worker_stays_up(
    redis_server, broker, worker, make_monitor, held_reply
):
    # acks_late: the batch is acknowledged when it finishes, after the worker has dealt with the lost
    # connection it came in on (test_broker_ack.py has that acknowledgement on its own).
    monitor = make_monitor(kind="http", url=held_reply.url, timeout_s=60)
    running = broker.send_task(
        "monitors.probe_batch", kwargs={"monitor_ids": [monitor.pk], "region": "default"}, queue="default"
    )
    assert held_reply.asked.wait(30), "the probe never reached the endpoint"

    redis_server.stop()
    wait_for(lambda: "Cannot connect to" in worker.log() or not worker.alive(), "the worker to retry")
    redis_server.start()
    back = time.time()
    wait_for(lambda: connected_at(worker.log(), back) is not None, "the worker to reconnect", timeout=10)
    assert connected_at(worker.log(), back) - back < 2.0, "the worker took over 2 s to reconnect"

    held_reply.release.set()
    wait_for(lambda: f"{running.id}] succeeded" in worker.log(), "the batch to finish", timeout=60)
    after = broker.send_task("components.propagate", queue="default")
    wait_for(lambda: f"{after.id}] succeeded" in worker.log(), "a task after the restart", timeout=30)
    assert worker.alive(), f"the worker exited:\n{worker.log()}"
    assert "Unrecoverable error" not in worker.log()
    # Acknowledged for real: nothing is left for Redis to hand out again after the visibility timeout.
    assert redis.Redis(port=redis_server.port).hlen("unacked") == 0


def test_a_task_queued_before_a_redis_crash_still_runs_after_it(redis_server, broker, start_worker):
    queued = broker.send_task("components.propagate", queue="default")
    # The append-only file is written to disk every second: the task is safe once it is in there.
    aof = redis_server.root / "appendonly.aof"
    wait_for(lambda: aof.exists() and queued.id.encode() in aof.read_bytes(), "the task to reach the disk")
    redis_server.process.kill()  # a crash: no shutdown, no final save
    redis_server.process.wait()
    redis_server.start()
    worker = start_worker()
    wait_for(lambda: f"{queued.id}] succeeded" in worker.log(), "the queued task to run", timeout=60)
