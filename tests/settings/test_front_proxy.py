"""The shipped nginx front proxy, run for real: one cached copy per URL and encoding class, marked only."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")

MAIN = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    {proxy}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Upstream(ThreadingHTTPServer):
    """Plays the app: answers like a snapshot artifact (marked) or like any other page (unmarked)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", free_port()), Handler)
        self.seen: list[dict[str, str]] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        encoding = self.headers.get("Accept-Encoding", "")
        body = f"{self.path} as {encoding or 'identity'}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        if self.path.startswith("/marked"):
            self.send_header("X-Accel-Expires", "60")
        self.send_header("Cache-Control", "public, max-age=60")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A directory nginx's unprivileged workers can reach (pytest's own temporary root is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="front-proxy-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def proxy(upstream: Upstream, scratch: Path) -> Iterator[str]:
    """deploy/nginx/statuspage.conf as shipped, pointed at the upstream, on a loopback port."""
    port = free_port()
    shipped = (ROOT / "deploy" / "nginx" / "statuspage.conf").read_text()
    adapted = (
        shipped.replace("server web:8000;", f"server 127.0.0.1:{upstream.server_port};")
        .replace("listen 80 default_server;", f"listen 127.0.0.1:{port};")
        .replace("/var/cache/nginx/statuspage", str(scratch / "cache"))
    )
    assert adapted.count("127.0.0.1") == 2, "deploy/nginx/statuspage.conf changed shape"
    for name in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (scratch / name).mkdir()
    config = scratch / "nginx.conf"
    config.write_text(MAIN.format(tmp=scratch, proxy=adapted))
    process = subprocess.Popen([NGINX, "-c", str(config), "-g", "daemon off;"], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"{base}/ready")
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"nginx did not start: {process.communicate()[1].decode()}")
            time.sleep(0.05)
    upstream.seen.clear()
    yield base
    process.terminate()
    process.wait(10)


def get(url: str, accept_encoding: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers={"Accept-Encoding": accept_encoding, **headers})


def test_browsers_spelling_br_differently_share_one_cached_copy(proxy, upstream):
    spellings = ("gzip, deflate, br, zstd", "br", "br;q=1.0, gzip;q=0.8, *;q=0.1", "BR ; q=0.5")
    answers = [get(f"{proxy}/marked", spelling) for spelling in spellings]

    assert [a.headers["X-Cache"] for a in answers] == ["MISS", "HIT", "HIT", "HIT"]
    assert {a.text for a in answers} == {"/marked as br"}
    assert [seen["accept-encoding"] for seen in upstream.seen] == ["br"]


def test_clients_with_gzip_but_not_br_share_the_gzip_copy(proxy, upstream):
    get(f"{proxy}/marked", "br")
    spellings = ("gzip, deflate", "gzip", "br;q=0, gzip", "gzip;q=0.8, br;q=0.0")
    answers = [get(f"{proxy}/marked", spelling) for spelling in spellings]

    assert [a.headers["X-Cache"] for a in answers] == ["MISS", "HIT", "HIT", "HIT"]
    assert {a.text for a in answers} == {"/marked as gzip"}
    assert [seen["accept-encoding"] for seen in upstream.seen] == ["br", "gzip"]


def test_a_client_without_gzip_or_br_gets_its_own_copy_and_never_a_compressed_one(proxy, upstream):
    get(f"{proxy}/marked", "gzip")
    get(f"{proxy}/marked", "br")
    plain = [get(f"{proxy}/marked", spelling) for spelling in ("", "identity", "gzip;q=0", "br;q=0, deflate")]

    assert {a.text for a in plain} == {"/marked as identity"}
    assert [a.headers["X-Cache"] for a in plain] == ["MISS", "HIT", "HIT", "HIT"]
    assert [seen.get("accept-encoding") for seen in upstream.seen] == ["gzip", "br", None]


def test_responses_the_app_did_not_mark_are_never_stored(proxy, upstream):
    """Cache-Control: public alone (without X-Accel-Expires) does not put a response in the shared cache."""
    for _ in range(3):
        assert get(f"{proxy}/unmarked", "gzip").headers["X-Cache"] == "MISS"

    assert len(upstream.seen) == 3


def test_the_client_address_the_app_sees_is_the_connecting_one(proxy, upstream):
    get(f"{proxy}/unmarked", "", **{"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"})

    assert upstream.seen[0]["x-real-ip"] == "127.0.0.1"
