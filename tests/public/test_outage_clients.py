"""What API clients and would-be subscribers get while Postgres is stopped (a real one, as in test_outage):
the last good answer for their request, marked stale, else 503 with Retry-After; never a 500."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from statuspage.run.embedded import EmbeddedPostgres
from tests.public.test_outage import ROOT, environment, free_port, stop, web

pytestmark = pytest.mark.e2e
SEED = """
from django.utils import timezone
from monitors.models import Monitor, Provider
acme = Provider.objects.create(name="Acme AI", slug="acme-ai", base_url="http://127.0.0.1:9")
Monitor.objects.create(provider=acme, name="acme chat", kind="openai", url="http://127.0.0.1:9/v1",
                       model="acme-large", status="up", last_probe_at=timezone.now())
"""
SEEN_BEFORE = "/api/failover.json?capability=chat"


@pytest.fixture(scope="module")
def outage():
    """A web server whose Postgres is stopped after one filtered failover request was answered live.

    Yields the server's base URL and that live answer.
    """
    base = Path(tempfile.mkdtemp(prefix="statuspage-outage-clients-"))
    base.chmod(0o755)  # the embedded server runs as an unprivileged user when we are root
    server = EmbeddedPostgres(base / "pg", free_port())
    process = None
    try:
        url = server.start()
        env = environment(url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        process, address = web(env)
        live = httpx.get(address + SEEN_BEFORE)
        assert live.status_code == 200 and "X-Snapshot-Age" not in live.headers
        server.stop()
        time.sleep(0.5)
        yield address, live
    finally:
        if process is not None:
            stop(process)
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_a_filtered_failover_request_gets_its_last_good_answer_marked_stale(outage):
    base, live = outage
    for _ in range(3):  # several refresh attempts, each failing against the stopped server
        stale = httpx.get(base + SEEN_BEFORE)
        assert stale.status_code == 200
        assert stale.json() == live.json()
        assert stale.json()["recommended"]["monitor"] == "acme chat"
        assert int(stale.headers["X-Snapshot-Age"]) >= 0
        time.sleep(0.6)


@pytest.mark.parametrize("query", ["capability=streaming", "capability=teleport", "family=acme"])
def test_a_filter_never_answered_before_is_a_503_with_retry_after(outage, query):
    base, _ = outage
    response = httpx.get(f"{base}/api/failover.json?{query}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["status"] == 503


def test_a_malformed_family_is_still_a_400_without_the_database(outage):
    base, _ = outage
    response = httpx.get(base + "/api/failover.json?family=Bad Family!")
    assert response.status_code == 400
    assert "family must be" in response.json()["error"]["message"]


def test_browser_scripts_may_read_the_staleness_of_a_cross_origin_answer(outage):
    base, _ = outage
    stale = httpx.get(base + SEEN_BEFORE, headers={"Origin": "https://dashboard.example"})
    assert stale.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in stale.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"x-snapshot-age", "etag", "retry-after"} <= exposed


def test_the_subscribe_page_is_a_503_with_retry_after(outage):
    base, _ = outage
    response = httpx.get(base + "/subscribe")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again shortly" in response.text
