"""Statuspage v2-compatible JSON, the failover ranking, OpenAPI and /metrics, served from the snapshot."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import cache, wraps

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from statuspage.api import metrics, openapi, performance
from statuspage.components import watchdog
from statuspage.readmodel import failover
from statuspage.serving import artifacts as a
from statuspage.serving import errors
from statuspage.serving.responses import guard, lazy_response, snapshot_response, to_response
from statuspage.serving.snapshot import store

WITH_PREFLIGHT = ("GET", "HEAD", "OPTIONS")
SAFE = ("GET", "HEAD")

PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Cache-Control",
    "Access-Control-Max-Age": "86400",
}


def read_only(methods: tuple[str, ...]) -> Callable:
    """Answer only `methods`; any other a 405 naming them in Allow, with a JSON body under /api/.

    Exempt from the CSRF check: these views change nothing and read no session or cookie, and the
    check would otherwise turn a POST into Django's HTML 403 page before the 405 could answer.
    """
    allowed = ", ".join(methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = errors.page(request, 405, f"This address is read-only: it answers {allowed}.")
                response["Allow"] = allowed
                return response
            return view(request, *args, **kwargs)

        return checked

    return decorate


def document(path: str):
    """A view serving one v2 document: GET and HEAD from the snapshot, OPTIONS for CORS preflight."""

    @read_only(WITH_PREFLIGHT)
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight()
        return guard(request, lambda: snapshot_response(request, path, lambda: errors.not_found(request)))

    view.__name__ = "document_" + path.replace("/", "_").replace(".", "_").replace("-", "_")
    return view


def preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    for name, value in PREFLIGHT.items():
        response[name] = value
    return response


@read_only(WITH_PREFLIGHT)
def failover_view(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight()
    try:
        query = failover.parse(request.GET)
    except failover.BadQuery as exc:
        return errors.page(request, 400, str(exc))
    if query == failover.Query(None, None):
        return guard(request, lambda: snapshot_response(request, "/api/failover.json", _missing(request)))
    return guard(request, lambda: _filtered_failover(request, query))


def _recommend(query: failover.Query) -> dict:
    now = timezone.now()
    return failover.recommend(now, query, delayed_since=watchdog.read(now).delayed_since)


def _filtered_failover(request: HttpRequest, query: failover.Query) -> HttpResponse:
    """Rendered once per snapshot and filter; while the database is down, the last good answer for
    this filter (marked stale), else Unavailable (a 503 from `guard`)."""
    path = f"/api/failover.json?capability={query.capability or ''}&family={query.family or ''}"
    try:
        return lazy_response(
            request,
            path,
            lambda: _json(_recommend(query)),
            _missing(request),
        )
    except failover.BadQuery as exc:  # an unknown capability, found when rendering
        return errors.page(request, 400, str(exc))


@read_only(WITH_PREFLIGHT)
def performance_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Rendered once per snapshot (page version and refresh period) and range, like the pages."""
    if request.method == "OPTIONS":
        return preflight()
    try:
        name = performance.parse_range(request.GET.get("range"))
    except performance.BadRange as exc:
        return errors.page(request, 400, str(exc))
    if not performance.PUBLIC_ID.fullmatch(public_id):
        return errors.page(request, 404)
    render = lambda: _maybe_json(performance.document(public_id, name, timezone.now()))  # noqa: E731
    path = f"/api/components/{public_id}/performance.json?range={name}"
    return guard(request, lambda: lazy_response(request, path, render, _missing(request)))


def _maybe_json(document) -> a.Artifact | None:
    return None if document is None else _json(document)


@read_only(SAFE)
def openapi_view(request: HttpRequest) -> HttpResponse:
    return guard(request, lambda: to_response(request, _openapi(), store.current()))


@read_only(SAFE)
def metrics_view(request: HttpRequest) -> HttpResponse:
    # Probe figures move with every result, not with the page version: a 10-second bucket instead.
    return guard(
        request,
        lambda: lazy_response(
            request,
            "/metrics",
            lambda: a.make(metrics.render(), a.PROMETHEUS, a.REVALIDATE),
            _missing(request),
            key=str(int(time.time() // 10)),
        ),
    )


@csrf_exempt  # a JSON 404 for any method, not the CSRF check's HTML 403
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return errors.page(request, 404)


@cache
def _openapi() -> a.Artifact:
    return _json(openapi.document(), a.FEED_CACHE)


def _json(document, cache_control: str = a.API_CACHE) -> a.Artifact:
    return a.make(json.dumps(document, separators=(",", ":")), a.JSON, cache_control, cors=True)


def _missing(request: HttpRequest):
    return lambda: errors.not_found(request)
