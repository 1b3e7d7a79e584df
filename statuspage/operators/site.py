"""The admin site: login with an optional TOTP code, and access only with two factors once enrolled."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django_otp import user_has_device

from statuspage.incidents.models import OPEN_INCIDENT, Incident
from statuspage.operators import twofactor
from statuspage.operators.login import OperatorLoginForm


def needs_second_factor(user) -> bool:
    """Whether this staff user may not work yet: enrolled but not verified, or enrolment is required."""
    if user.is_verified():
        return False
    return user_has_device(user) or settings.ADMIN_REQUIRE_2FA


class OperatorAdminSite(admin.AdminSite):
    login_form = OperatorLoginForm
    site_title = "Status operations"
    index_title = "Operations"

    @property
    def site_header(self) -> str:
        return f"{settings.SITE_NAME} operations"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if not hasattr(request, "_second_factor_missing"):  # asked several times per page
            request._second_factor_missing = needs_second_factor(request.user)
        return not request._second_factor_missing

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The dashboard leads with what is happening now: open incidents, those awaiting approval."""
        context = dict(extra_context or {})
        if request.user.has_perm("incidents.change_incident"):
            current = Incident.objects.filter(status__in=OPEN_INCIDENT).order_by("-created_at")
            context["open_incidents"] = list(current[:20])
            context["may_open"] = request.user.has_perm("incidents.add_incident")
        return super().index(request, context)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        user = request.user
        staff = user.is_active and user.is_staff
        if request.method == "GET" and settings.ADMIN_REQUIRE_2FA and staff and not user_has_device(user):
            # Signed in with a password, but must enrol a second factor before anything else.
            return HttpResponseRedirect(reverse("admin:two_factor", current_app=self.name))
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path("two-factor/", twofactor.enrol(self), name="two_factor"),
            *super().get_urls(),
        ]
