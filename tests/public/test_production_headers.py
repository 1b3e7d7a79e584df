"""In production every response, from the fast path or from Django, gets the redirect and security headers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.processes import stop, wait_for

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
HOST = "status.example.com"
# Snapshot paths (answered by the fast path once the snapshot is built) and one page Django renders.
FAST = ["/", "/api/v2/summary.json", "/history.atom", "/history.rss"]
PATHS = [*FAST, "/subscribe"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker) -> Iterator[str]:
    """granian serving the app as deployed: https SITE_URL behind a proxy, redirect and HSTS on."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "STATUSPAGE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "p" * 50,
        "SITE_URL": f"https://{HOST}",
        "ALLOWED_HOSTS": HOST,
        "BEHIND_PROXY": "true",
        "SECURE_SSL_REDIRECT": "true",
        "HSTS_SECONDS": "31536000",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--no-ws", "statuspage.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(base + "/", headers=https()).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(answers, "the production web server")
        for path in FAST:  # built: from here on these come from the fast path
            httpx.get(base + path, headers=https())
        yield base
    finally:
        stop(process)


def https() -> dict[str, str]:
    return {"Host": HOST, "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("path", [*PATHS, "/badge.svg"])
def test_plain_http_is_redirected_to_https_on_every_path(production, path):
    response = httpx.get(production + path, headers={"Host": HOST})
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}{path}"


@pytest.mark.parametrize("path", PATHS)
def test_https_responses_carry_hsts_and_the_security_headers(production, path):
    response = httpx.get(production + path, headers=https())

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Subscription pages carry tokens in their links: they say strict-origin (subscriptions/views.py).
    assert response.headers["Referrer-Policy"] == ("strict-origin" if path == "/subscribe" else "same-origin")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    [scripts] = [d for d in policy.split("; ") if d.startswith("script-src ")]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts


def test_the_fast_path_and_django_send_the_same_policy(production):
    page = httpx.get(production + "/", headers=https()).headers["Content-Security-Policy"]
    form = httpx.get(production + "/subscribe", headers=https()).headers["Content-Security-Policy"]
    # Django's carries a nonce only when a template used one (the admin's inline blocks); else the same.
    assert page == form
