"""Turn snapshot artifacts into Django responses (the WSGI fast path does the same without Django)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape

from statuspage.serving import errors
from statuspage.serving.artifacts import Artifact, respond
from statuspage.serving.snapshot import Snapshot, Unavailable, store


def notice(snapshot: Snapshot, age: int) -> bytes:
    """What a stale HTML page says about itself: it is not live, and how old it is."""
    built = datetime.fromtimestamp(snapshot.built_at, UTC)
    text = (
        f'<p class="stale" role="status"><strong>Live data is temporarily unavailable.</strong> '
        f'This page shows the status as of <time datetime="{built:%Y-%m-%dT%H:%M:%SZ}" data-local>'
        f"{built:%b %-d, %H:%M} UTC</time>, {escape(_ago(age))} ago.</p>"
    )
    return text.encode()


def _ago(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"


def age_and_notice(snapshot: Snapshot) -> tuple[int, bytes]:
    stale, age = store.stale_age(snapshot)
    return age, notice(snapshot, age) if stale else b""


def to_response(request: HttpRequest, artifact: Artifact, snapshot: Snapshot) -> HttpResponse:
    age, stale_notice = age_and_notice(snapshot)
    status, headers, body = respond(
        artifact,
        if_none_match=request.headers.get("If-None-Match", ""),
        accept_encoding=request.headers.get("Accept-Encoding", ""),
        age=age,
        stale_notice=stale_notice,
    )
    response = HttpResponse(b"" if request.method == "HEAD" else body, status=status)
    for name, value in headers:
        response[name] = value
    return response


def snapshot_response(request: HttpRequest, key: str, missing: Callable[[], HttpResponse]) -> HttpResponse:
    """The artifact at `key` in the current snapshot, or `missing()` when there is none."""
    snapshot = store.current()
    artifact = snapshot.artifacts.get(key)
    return missing() if artifact is None else to_response(request, artifact, snapshot)


def lazy_response(
    request: HttpRequest,
    path: str,
    render: Callable[[], Artifact | None],
    missing: Callable[[], HttpResponse],
    *,
    key: str | None = None,
) -> HttpResponse:
    """An artifact rendered once per snapshot (or per `key`), served like the eager ones."""
    snapshot = store.current()
    artifact = store.lazy(path, key or snapshot.key, render)
    return missing() if artifact is None else to_response(request, artifact, snapshot)


def guard(request: HttpRequest, serve: Callable[[], HttpResponse]) -> HttpResponse:
    """Answer 503 (never 500) when there is no snapshot at all and the database is unreachable."""
    try:
        return serve()
    except Unavailable:
        return errors.page(request, 503)
