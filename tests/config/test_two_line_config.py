"""A user with OPENAI_API_KEY set writes two lines and gets OpenAI watched, nothing typed in admin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitors import engine
from monitors.models import Monitor, Provider
from monitors.recording import record
from statuspage.components.models import ComponentGroup
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

TWO_LINES = "providers:\n  - openai\n"
OPENAI_PAGE = (Path(__file__).parents[1] / "catalog" / "samples" / "incidentio_openai.json").read_bytes()


@pytest.fixture
def status_openai_com() -> Iterator[str]:
    """status.openai.com's summary.json (incident.io, a recorded sample) served on loopback."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(OPENAI_PAGE)))
            self.end_headers()
            self.wfile.write(OPENAI_PAGE)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/api/v2/summary.json"
    server.shutdown()
    server.server_close()


def test_two_lines_give_chat_and_models_monitors_a_group_and_upstream_status(apply_file, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-user")
    apply_file(TWO_LINES)
    openai = Provider.objects.get(slug="openai")
    assert openai.api_key_env == "OPENAI_API_KEY"
    assert openai.upstream_status_url == "https://status.openai.com/api/v2/summary.json"
    kinds = dict(Monitor.objects.filter(provider=openai).values_list("kind", "url"))
    assert kinds == {
        "openai": "https://api.openai.com/v1",
        "models": "https://api.openai.com/v1",
        "upstream": "https://status.openai.com/api/v2/summary.json",
    }
    chat = Monitor.objects.get(kind="openai")
    assert (chat.model, chat.stream, chat.slow_ttft_ms) == ("gpt-4o-mini", True, 3000)
    assert chat.to_spec().api_key == "sk-user"
    group = ComponentGroup.objects.get(name="OpenAI")
    fed = {c.name: [m.kind for m in c.monitors.all()] for c in group.components.all()}
    assert fed == {"Chat": ["openai"], "Models API": ["models"]}


def test_the_providers_claim_shows_on_the_component_it_maps_to(
    apply_file, monkeypatch, client, status_openai_com
):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-user")
    apply_file(TWO_LINES)
    upstream = Monitor.objects.get(kind="upstream")
    upstream.url = status_openai_com  # the test's loopback stand-in for status.openai.com
    observation = engine.run_batch_sync([upstream.to_spec()], concurrency=1, region="default")[0]
    assert observation.details["mapped"] == {
        "Chat": "degraded_performance",
        "Models API": "degraded_performance",
    }
    record([observation])

    html = client.get("/").content.decode()
    chat_row = html[html.index(">Chat<") :][:2000]
    assert "OpenAI\u2019s own status page: Degraded performance" in chat_row
    assert "Chat Completions" not in chat_row  # their name is mapped to ours, not shown in its place
