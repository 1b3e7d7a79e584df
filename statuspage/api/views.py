"""Statuspage v2-compatible JSON, the failover ranking, OpenAPI and /metrics, served from the snapshot."""

from __future__ import annotations

import json
import time
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from statuspage.api import failover, metrics, openapi
from statuspage.public import artifacts as a
from statuspage.public import errors
from statuspage.public.serving import lazy_response, snapshot_response, to_response
from statuspage.public.snapshot import store
from statuspage.public.views import guard

PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Cache-Control",
    "Access-Control-Max-Age": "86400",
}


def document(path: str):
    """A view serving one v2 document: GET and HEAD from the snapshot, OPTIONS for CORS preflight."""

    @require_http_methods(["GET", "HEAD", "OPTIONS"])
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


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def failover_view(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight()
    try:
        query = failover.parse(request.GET)
    except failover.BadQuery as exc:
        return errors.page(request, 400, str(exc))
    if query == failover.Query(None, None):
        return guard(request, lambda: snapshot_response(request, "/api/failover.json", _missing(request)))
    path = f"/api/failover.json?capability={query.capability or ''}&family={query.family or ''}"
    return guard(
        request,
        lambda: lazy_response(
            request,
            path,
            lambda: _json(failover.recommend(timezone.now(), query)),
            _missing(request),
        ),
    )


@require_safe
def openapi_view(request: HttpRequest) -> HttpResponse:
    return guard(request, lambda: to_response(request, _openapi(), store.current()))


@require_safe
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


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return errors.page(request, 404)


@cache
def _openapi() -> a.Artifact:
    return _json(openapi.document(), a.FEED_CACHE)


def _json(document, cache_control: str = a.API_CACHE) -> a.Artifact:
    return a.make(json.dumps(document, separators=(",", ":")), a.JSON, cache_control, cors=True)


def _missing(request: HttpRequest):
    return lambda: errors.not_found(request)
