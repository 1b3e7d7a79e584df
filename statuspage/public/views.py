"""Public pages, partials, feeds and badges: every answer comes from the snapshot (reads only)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from statuspage.lib.methods import readable
from statuspage.public import component_page, pages
from statuspage.readmodel.performance import DEFAULT_RANGE, RANGES
from statuspage.serving import errors
from statuspage.serving.responses import guard, lazy_response, snapshot_response

PUBLIC_ID = re.compile(r"[a-z0-9]{12}")
UPTIME_DAYS = {"7", "30", "90"}
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: int() takes "²" and refuses 5,000 digits


def snapshot_view(path: str):
    """A view serving one eager artifact; unknown query strings are ignored, as Statuspage does."""

    @readable
    def view(request: HttpRequest) -> HttpResponse:
        return guard(request, lambda: snapshot_response(request, path, lambda: errors.not_found(request)))

    view.__name__ = "snapshot_" + re.sub(r"\W", "_", path)
    return view


@readable
def history(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= pages.MAX_PAGE:
        return errors.page(request, 400, f"page must be a whole number from 1 to {pages.MAX_PAGE}.")
    number = int(raw)
    if number == 1:
        return guard(
            request, lambda: snapshot_response(request, "/history", lambda: errors.not_found(request))
        )
    return guard(
        request,
        lambda: lazy_response(
            request,
            f"/history?page={number}",
            lambda: pages.history(number, timezone.now()),
            lambda: errors.not_found(request),
        ),
    )


@readable
def incident(request: HttpRequest, public_id: str) -> HttpResponse:
    if not PUBLIC_ID.fullmatch(public_id):
        return errors.not_found(request)
    return guard(
        request,
        lambda: lazy_response(
            request,
            f"/incidents/{public_id}",
            lambda: pages.incident(public_id, timezone.now()),
            lambda: errors.not_found(request),
        ),
    )


@readable
def component(request: HttpRequest, public_id: str) -> HttpResponse:
    name = request.GET.get("range", DEFAULT_RANGE)
    if name not in RANGES:
        return errors.page(request, 400, f"range must be one of {', '.join(RANGES)}.")
    if not PUBLIC_ID.fullmatch(public_id):
        return errors.not_found(request)
    return guard(
        request,
        lambda: lazy_response(
            request,
            f"/components/{public_id}?range={name}",
            lambda: component_page.render(public_id, name, timezone.now()),
            lambda: errors.not_found(request),
        ),
    )


@readable
def component_badge(request: HttpRequest, public_id: str) -> HttpResponse:
    return guard(
        request,
        lambda: snapshot_response(request, f"/badge/{public_id}.svg", lambda: errors.not_found(request)),
    )


@readable
def uptime_badge(request: HttpRequest, public_id: str) -> HttpResponse:
    days = request.GET.get("days", "90")
    if days not in UPTIME_DAYS:
        return errors.page(request, 400, "days must be 7, 30 or 90.")
    key = f"/badge/{public_id}/uptime.svg" + ("" if days == "90" else f"?days={days}")
    return guard(request, lambda: snapshot_response(request, key, lambda: errors.not_found(request)))
