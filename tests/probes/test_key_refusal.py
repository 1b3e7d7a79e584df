"""At probe time a refused key variable makes the probe a misconfiguration, and nothing is sent."""

from __future__ import annotations

from monitors.models import Monitor, Provider
from monitors.outcomes import Outcome
from probes.kit import probe


def test_a_monitor_naming_database_url_sends_no_request(raw_server, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/prod")
    server = raw_server(lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))
    provider = Provider(name="Evil", slug="evil", base_url=server.url, api_key_env="DATABASE_URL")
    monitor = Monitor(pk=7, provider=provider, name="m", kind="openai", url=server.url + "/v1", model="x")
    observation = probe(monitor.to_spec())
    assert observation.outcome == Outcome.CLIENT_ERROR
    assert observation.error_type == "bad_options"
    assert observation.message.startswith("DATABASE_URL is one of statuspage's own settings")
    assert server.requests == []
