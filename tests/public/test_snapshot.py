"""Rendered once per change, served with ETag/304 and gzip, shared between processes through Redis."""

from __future__ import annotations

import gzip
import re

import pytest
import time_machine
from django.utils import timezone

from statuspage.serving.fastpath import SnapshotFastPath
from statuspage.serving.snapshot import Store, store


@pytest.fixture
def chat(make_component):
    return make_component("Chat API")


def live_etag(html: str) -> str:
    return re.search(r'If-None-Match": "\\"([0-9a-f]+)\\"', html)[1]


def test_the_page_is_rendered_once_until_something_changes(client, chat, publish):
    client.get("/")
    first = store.snapshot
    client.get("/api/v2/summary.json")
    client.get("/history.atom")
    assert store.snapshot is first

    def degrade():
        chat.status = "degraded_performance"
        chat.save()

    publish(degrade)  # the save's on-commit hook bumps the page version
    page = client.get("/").content.decode()
    assert store.snapshot is not first
    assert "Degraded performance" in page


def test_without_a_bump_the_page_moves_on_after_the_refresh_period(client, chat, settings):
    settings.PAGE_REFRESH_SECONDS = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get("/")
        first = store.snapshot
        clock.shift(31)
        client.get("/")
    assert store.snapshot is not first


def test_the_live_region_carries_its_own_etag_and_answers_304(client, chat, publish):
    response = client.get("/partials/live")
    tag = live_etag(response.content.decode())
    assert response["ETag"] == f'"{tag}"'
    assert response["Cache-Control"] == "no-cache"
    again = client.get("/partials/live", headers={"If-None-Match": f'"{tag}"'})
    assert again.status_code == 304 and again.content == b""
    assert live_etag(client.get("/").content.decode()) == tag  # the page embeds the same region

    def resolve():
        chat.status = "major_outage"
        chat.save()

    publish(resolve)
    changed = client.get("/partials/live", headers={"If-None-Match": f'"{tag}"'})
    assert changed.status_code == 200 and "Major outage" in changed.content.decode()


def test_every_artifact_answers_304_to_its_etag(client, chat):
    for path in ("/", "/api/v2/summary.json", "/history.rss", "/badge.svg", "/embed.js", "/history"):
        first = client.get(path)
        assert first.status_code == 200, path
        again = client.get(path, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, path
        assert again["ETag"] == first["ETag"]


def test_gzip_is_compressed_once_and_chosen_by_accept_encoding(client, chat):
    plain = client.get("/")
    zipped = client.get("/", headers={"Accept-Encoding": "br;q=0.5, gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["Vary"] == "Accept-Encoding"
    assert client.get("/", headers={"Accept-Encoding": "gzip;q=0"}).get("Content-Encoding") is None
    assert client.get("/", headers={"If-None-Match": zipped["ETag"]}).status_code == 304


def test_cache_headers_allow_stale_while_revalidating_and_on_error(client, chat):
    for path in ("/", "/api/v2/summary.json", "/history.atom"):
        header = client.get(path)["Cache-Control"]
        assert "stale-while-revalidate=" in header and "stale-if-error=" in header, path


def test_another_process_takes_the_snapshot_from_redis_instead_of_rendering(client, chat):
    client.get("/")
    other = Store()  # a second web process: empty memory, same Redis
    assert other.current().built_at == store.snapshot.built_at
    assert other.current().artifacts["/"].body == store.snapshot.artifacts["/"].body


def test_the_wsgi_fast_path_serves_snapshot_paths_without_django(client, chat):
    client.get("/")  # the first render goes through Django
    calls = []

    def django(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("418 I'm a teapot", [])
        return [b""]

    app = SnapshotFastPath(django)
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v2/summary.json", "HTTP_HOST": "testserver"}
    body = b"".join(app(environ, start_response))
    assert seen["status"] == "200 OK" and calls == []
    assert body == store.snapshot.artifacts["/api/v2/summary.json"].body
    assert seen["headers"]["Access-Control-Allow-Origin"] == "*"

    app({**environ, "HTTP_IF_NONE_MATCH": seen["headers"]["ETag"]}, start_response)
    assert seen["status"] == "304 Not Modified"
    head = b"".join(app({**environ, "REQUEST_METHOD": "HEAD"}, start_response))
    assert head == b"" and seen["headers"]["Content-Length"] == str(len(body))

    for other in (
        {**environ, "HTTP_HOST": "evil.example"},  # Django's host check answers that
        {**environ, "QUERY_STRING": "x=1"},
        {**environ, "REQUEST_METHOD": "POST"},
        {**environ, "PATH_INFO": "/incidents/abcdefabcdef"},
    ):
        app(other, start_response)
    assert len(calls) == 4
