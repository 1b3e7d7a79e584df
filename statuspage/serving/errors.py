"""Error pages that never leak a stack trace: HTML for people, JSON under /api/ for programs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from statuspage.serving import artifacts
from statuspage.serving.context import base_context

TITLES = {
    400: ("Bad request", "The address has a parameter this page does not understand."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address answers GET and HEAD only."),
    500: ("Something went wrong", "The page could not be shown. Please try again in a moment."),
    503: ("Status temporarily unavailable", "The status data cannot be read right now. Try again shortly."),
}


def page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    title, default = TITLES[status]
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": {"status": status, "message": message or default}})
        response.status_code = status
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = artifacts.EXPOSED
    else:
        context = {**base_context(), "title": title, "message": message or default}
        response = HttpResponse(render_to_string("public/error.html", context), status=status)
    response["Cache-Control"] = "no-store" if status >= 500 else "public, max-age=60"
    if status == 503:
        response["Retry-After"] = "5"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return page(request, 500)
