"""URL routes: the public site and API at the origin root, admin at a configurable path."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("statuspage.api.urls")),
    path("", include("statuspage.subscriptions.urls")),
    path("", include("statuspage.public.urls")),
]

# Clean error pages (JSON under /api/), never a stack trace.
handler400 = "statuspage.public.errors.bad_request"
handler404 = "statuspage.public.errors.not_found"
handler500 = "statuspage.public.errors.server_error"
