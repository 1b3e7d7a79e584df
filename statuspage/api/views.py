"""Statuspage v2-compatible JSON endpoints (CORS open, JSON errors)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from statuspage.api import v2


def _json(data) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=10"
    return response


@require_GET
def summary(request) -> JsonResponse:
    return _json(v2.summary())
