"""RFC 9110 on every public address: HEAD wherever GET, OPTIONS names the methods, Last-Modified and
If-Modified-Since, and no shared caching of JSON errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from statuspage.serving.snapshot import stamp, store
from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Subscriber

PAGES = ["/", "/history", "/history.atom", "/history.rss", "/badge.svg", "/embed.js", "/subscribe"]


@pytest.fixture
def components(make_component):
    return [make_component("Chat")]


@pytest.fixture
def subscriber(components) -> Subscriber:
    return Subscriber.objects.create(
        kind="email", email="reader@example.com", all_components=True, confirmed_at=timezone.now()
    )


def test_head_answers_wherever_get_does(client, components, subscriber):
    manage = f"/subscriptions/manage/{tokens.make(tokens.Purpose.MANAGE, subscriber.public_id)}"
    confirm = f"/subscriptions/confirm/{tokens.make(tokens.Purpose.CONFIRM, subscriber.public_id)}"
    for path in [*PAGES, manage]:
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head["Content-Type"]) == (get.status_code, get["Content-Type"]), path
        assert get.status_code == 200 and head.content == b"", path
    assert client.head(confirm).status_code in (200, 302)  # confirmed already: on to the manage page
    assert not Subscriber.objects.exclude(pk=subscriber.pk).exists()  # HEAD on /subscribe posts nothing


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/", "GET, HEAD, OPTIONS"),
        ("/history.atom", "GET, HEAD, OPTIONS"),
        ("/history.rss", "GET, HEAD, OPTIONS"),
        ("/history", "GET, HEAD, OPTIONS"),
        ("/subscribe", "GET, POST, HEAD, OPTIONS"),
    ],
)
def test_options_names_the_methods_an_address_answers(client, components, path, allow):
    response = client.options(path)
    assert (response.status_code, response["Allow"]) == (204, allow)
    assert client.delete(path).status_code == 405


@pytest.mark.parametrize("path", ["/", "/api/v2/summary.json", "/history.rss", "/badge.svg"])
def test_last_modified_answers_if_modified_since_with_304(client, components, path):
    first = client.get(path)
    modified = first["Last-Modified"]

    unchanged = client.get(path, headers={"If-Modified-Since": modified})
    older = client.get(path, headers={"If-Modified-Since": http_date(parse_http_date(modified) - 1)})

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert older.status_code == 200
    # An ETag that does not match wins over the date (RFC 9110 §13.2.2).
    assert (
        client.get(path, headers={"If-Modified-Since": modified, "If-None-Match": '"x"'}).status_code == 200
    )


def test_a_rerender_with_the_same_bytes_keeps_its_last_modified(client, components):
    client.get("/")
    snapshot = store.snapshot
    later = stamp(dict(snapshot.artifacts), snapshot, snapshot.built_at + 3600)
    assert later["/"].modified == snapshot.artifacts["/"].modified


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/v2/incidents/nosuchincide.json", 404), ("post", "/api/v2/summary.json", 405)],
)
def test_json_errors_are_not_cached_by_shared_caches(client, db, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
