"""With Postgres stopped (a real one, started for this test) the page and the API still answer 200."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from statuspage.run.embedded import EmbeddedPostgres

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SEED = """
from statuspage.components.models import Component
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
chat = Component.objects.create(name="Chat completions")
services.open_incident(IncidentDraft(name="Elevated errors", impact="major", body="Looking.",
                                     component_statuses={chat: "partial_outage"}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A Postgres of our own (the shared one must not be stopped), migrated once for this module."""
    base = Path(tempfile.mkdtemp(prefix="statuspage-outage-"))
    base.chmod(0o755)  # the embedded server runs as an unprivileged user when we are root
    server = EmbeddedPostgres(base / "pg", free_port())
    try:
        url = server.start()
        env = environment(url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        yield server, url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "STATUSPAGE_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PAGE_VERSION_TTL": "0.2",
        "PAGE_RETRY_SECONDS": "0.5",
        "DB_CONNECT_TIMEOUT": "2",
    }


def web(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """The production application server, as docker-compose runs it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--no-ws", "statuspage.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/v2/status.json", timeout=2)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the web server did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_page_renders_and_changes_with_redis_unreachable(postgres):
    _, database_url = postgres
    env = environment(database_url, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    process, base = web(env)
    try:
        assert "Elevated errors" in httpx.get(base + "/").text
        with psycopg.connect(database_url, autocommit=True) as db:  # what a writer does, then its bump
            db.execute("UPDATE components_component SET status = 'major_outage'")
            db.execute("SELECT nextval('statuspage_page_version')")
        deadline = time.monotonic() + 10
        while httpx.get(base + "/api/v2/status.json").json()["status"]["indicator"] != "critical":
            assert time.monotonic() < deadline, "a change did not show while Redis was down"
            time.sleep(0.2)
        assert "Major outage" in httpx.get(base + "/").text
    finally:
        stop(process)
        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute("UPDATE components_component SET status = 'partial_outage'")
            db.execute("SELECT nextval('statuspage_page_version')")


def test_page_and_api_survive_postgres_stopping_and_recover(postgres):
    server, database_url = postgres
    env = environment(database_url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    process, base = web(env)
    try:
        live_page = httpx.get(base + "/")
        summary = httpx.get(base + "/api/v2/summary.json")
        assert live_page.status_code == 200 and "Elevated errors" in live_page.text
        assert "temporarily unavailable" not in live_page.text

        server.stop()
        time.sleep(0.5)
        for _ in range(3):  # several refresh attempts, each failing against the stopped server
            stale_page = httpx.get(base + "/")
            assert stale_page.status_code == 200
            assert "Live data is temporarily unavailable" in stale_page.text
            assert "Elevated errors" in stale_page.text
            stale_summary = httpx.get(base + "/api/v2/summary.json")
            assert stale_summary.status_code == 200
            assert stale_summary.json() == summary.json()
            assert int(stale_summary.headers["X-Snapshot-Age"]) >= 0
            time.sleep(0.6)

        # A web process started while Postgres is down serves the snapshot shared through Redis.
        second, second_base = web(env)
        try:
            assert httpx.get(second_base + "/api/v2/summary.json").json() == summary.json()
            assert "Live data is temporarily unavailable" in httpx.get(second_base + "/").text
        finally:
            stop(second)

        server.start()
        deadline = time.monotonic() + 15
        while "temporarily unavailable" in httpx.get(base + "/").text:
            assert time.monotonic() < deadline, "the page did not come back to live data"
            time.sleep(0.3)
    finally:
        stop(process)
