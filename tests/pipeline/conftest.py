"""A real Celery worker (with embedded beat) against the test database, and the fake fleet."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.fakefleet import FakeFleet
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
FLEET_KEY = "sk-fake"


@pytest.fixture(scope="module")
def fleet() -> Iterator[FakeFleet]:
    with FakeFleet(api_key=FLEET_KEY, beat_s=0.2) as running:
        yield running


@pytest.fixture
def celery_worker(transactional_db, tmp_path) -> Iterator[subprocess.Popen]:
    """`celery worker -B` as its own process, seeing the test database; stopped after the test."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no leftover tasks from another run
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "STATUSPAGE_ENV": "test",
        "SCHEDULER_TICK_SECONDS": "0.5",
        "E2E_FLEET_KEY": FLEET_KEY,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-B", "-Q", "default,probes.default",
         "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.log").open("wb"),
    )  # fmt: skip
    try:
        yield worker
    finally:
        stop(worker)
        # The worker's pooled connections must be gone before the test database is flushed.
        connection.close()
