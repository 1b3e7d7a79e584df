"""Which HTTP methods a view answers: GET brings HEAD (RFC 9110 §9.3.2), and OPTIONS names them all."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


def answers(*methods: str) -> Callable:
    """Like Django's require_http_methods, plus HEAD wherever GET is, and OPTIONS answered with Allow."""
    allowed = [*methods, *(["HEAD"] if "GET" in methods and "HEAD" not in methods else []), "OPTIONS"]

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = ", ".join(allowed)
                return response
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return view(request, *args, **kwargs)

        return checked

    return decorate


readable = answers("GET")  # a page or document: GET, HEAD, OPTIONS
