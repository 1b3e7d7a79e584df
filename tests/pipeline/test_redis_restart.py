"""A Redis restart under a busy worker: the worker reconnects and keeps working, it does not exit.

Redis is the one `make run` embeds (statuspage.run.embedded), on a port of its own; the worker is a real
`celery worker` process pointed at it and at the test database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from statuspage.run.embedded import EmbeddedRedis
from tests.processes import stop, wait_for

pytestmark = pytest.mark.e2e

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
def worker(transactional_db, redis_server, tmp_path) -> Iterator[Worker]:
    """A real `celery worker` on that Redis and the test database."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "STATUSPAGE_ENV": "test",
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-Q", "default",
             "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    worker = Worker(process, log)
    try:
        wait_for(lambda: "ready." in worker.log(), "the worker to start")
        yield worker
    finally:
        stop(process)
        connection.close()  # the worker's connections must be gone before the test database is flushed


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
