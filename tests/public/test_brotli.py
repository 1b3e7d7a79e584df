"""Brotli for snapshot artifacts: compressed once, chosen by Accept-Encoding (RFC 9110), own ETag."""

from __future__ import annotations

import brotli
import pytest

from statuspage.serving.artifacts import choose_coding
from statuspage.serving.fastpath import SnapshotFastPath
from statuspage.serving.snapshot import store

BROWSER = "gzip, deflate, br, zstd"


@pytest.fixture
def chat(make_component):
    return make_component("Chat API")


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        ("", ""),
        ("identity", ""),
        ("br", "br"),
        ("gzip", "gzip"),
        (BROWSER, "br"),
        ("gzip, br", "br"),  # equal q: the smaller one
        ("BR;Q=1.0, GZIP;q=0.8", "br"),  # names and parameters are case-insensitive
        ("br;q=0.5, gzip", "gzip"),  # the client prefers gzip
        ("br;q=0.9, gzip;q=0.8", "br"),
        ("br;q=0, gzip", "gzip"),  # br refused
        ("br;q=0.000, gzip;q=0.1", "gzip"),
        ("gzip;q=0", ""),
        ("br;q=0, gzip;q=0", ""),
        ("*", "br"),
        ("*;q=0.5, br;q=0", "gzip"),  # the wildcard covers gzip, br is refused by name
        ("*;q=0", ""),
        ("x-gzip", "gzip"),
        ("br;q=nonsense, gzip", "gzip"),  # a malformed q refuses, never raises
        ("deflate, zstd", ""),
        (" , ;, br ; q = 0.3 ,", "br"),
    ],
)
def test_the_coding_is_the_accepted_one_with_the_highest_q(accept_encoding, coding):
    assert choose_coding(accept_encoding) == coding


def test_brotli_is_compressed_once_and_served_with_its_own_etag(client, chat):
    plain = client.get("/", headers={"Accept-Encoding": ""})
    squeezed = client.get("/", headers={"Accept-Encoding": BROWSER})
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})

    assert squeezed["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.content) == plain.content
    assert int(squeezed["Content-Length"]) == len(squeezed.content) < len(zipped.content)
    assert squeezed["Vary"] == "Accept-Encoding"
    assert squeezed["ETag"].endswith('-br"')
    assert len({plain["ETag"], zipped["ETag"], squeezed["ETag"]}) == 3
    assert squeezed.content == store.snapshot.artifacts["/"].brotli  # the bytes made with the snapshot


def test_a_revalidation_with_the_brotli_etag_answers_304(client, chat):
    for path in ("/", "/api/v2/summary.json"):
        squeezed = client.get(path, headers={"Accept-Encoding": "br"})
        again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": squeezed["ETag"]})

        assert again.status_code == 304, path
        assert again["ETag"] == squeezed["ETag"]
        assert "Content-Encoding" not in again and again.content == b""


def test_head_in_brotli_says_the_length_of_the_brotli_body(client, chat):
    squeezed = client.get("/api/v2/summary.json", headers={"Accept-Encoding": "br"})
    head = client.head("/api/v2/summary.json", headers={"Accept-Encoding": "br"})

    assert head.status_code == 200 and head.content == b""
    assert head["Content-Encoding"] == "br"
    assert head["Content-Length"] == squeezed["Content-Length"]
    assert head["ETag"] == squeezed["ETag"]


def test_the_wsgi_fast_path_serves_brotli_without_django(client, chat):
    client.get("/")  # the first render goes through Django
    app = SnapshotFastPath(lambda environ, start_response: pytest.fail("reached Django"))
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v2/summary.json", "HTTP_HOST": "testserver"}
    body = b"".join(app({**environ, "HTTP_ACCEPT_ENCODING": BROWSER}, start_response))
    assert seen["status"] == "200 OK"
    assert seen["headers"]["Content-Encoding"] == "br"
    assert seen["headers"]["Vary"] == "Accept-Encoding"
    assert brotli.decompress(body) == store.snapshot.artifacts["/api/v2/summary.json"].body
    etag = seen["headers"]["ETag"]

    head = b"".join(app({**environ, "REQUEST_METHOD": "HEAD", "HTTP_ACCEPT_ENCODING": "br"}, start_response))
    assert head == b"" and seen["headers"]["Content-Length"] == str(len(body))

    app({**environ, "HTTP_ACCEPT_ENCODING": "br", "HTTP_IF_NONE_MATCH": etag}, start_response)
    assert seen["status"] == "304 Not Modified"

    app({**environ, "HTTP_ACCEPT_ENCODING": "br;q=0, gzip"}, start_response)
    assert seen["headers"]["Content-Encoding"] == "gzip"
