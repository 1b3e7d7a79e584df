"""Statuspage v2-compatible JSON at the origin root, exact paths, no trailing slash; our own beside it."""

from django.urls import path, re_path

from statuspage.api import views
from statuspage.readmodel.v2 import PATHS

urlpatterns = [
    *(path(p.lstrip("/"), views.document(p), name="api-" + p.rsplit("/", 1)[-1]) for p in PATHS),
    path("api/failover.json", views.failover_view, name="api-failover"),
    path("api/openapi.json", views.openapi_view, name="api-openapi"),
    path("api/components/<str:public_id>/performance.json", views.performance_view, name="api-performance"),
    path("metrics", views.metrics_view, name="metrics"),
    # Programs get JSON errors anywhere under /api/, never the HTML page.
    re_path(r"^api/(?P<rest>.*)$", views.api_not_found),
]
