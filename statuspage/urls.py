"""URL routes: the public site and API at the origin root, admin at a configurable path."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on every page that names no icon: send them to the static one."""
    response = HttpResponseRedirect(static("favicon.svg"))
    # Not permanent: the static URL may change (STATIC_URL, a CDN), but a day saves a request per page.
    patch_cache_control(response, public=True, max_age=86_400)
    return response


urlpatterns = [
    path("favicon.ico", favicon),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("statuspage.api.urls")),
    path("", include("statuspage.subscriptions.urls")),
    path("", include("statuspage.public.urls")),
]

# Clean error pages (JSON under /api/), never a stack trace.
handler400 = "statuspage.serving.errors.bad_request"
handler404 = "statuspage.serving.errors.not_found"
handler500 = "statuspage.serving.errors.server_error"
