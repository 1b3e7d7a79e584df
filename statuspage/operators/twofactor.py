"""Self-service enrolment of an authenticator app (TOTP) for the signed-in staff user."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable

import segno
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"


class ConfirmForm(forms.Form):
    token = forms.CharField(
        label="Code shown by the app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def enrol(site: admin.AdminSite) -> Callable[[HttpRequest], HttpResponse]:
    """The view, bound to `site`: open to staff who signed in with a password, verified or not."""

    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (user.is_active and user.is_staff):
            return HttpResponseRedirect(
                reverse("admin:login", current_app=site.name) + f"?next={request.path}"
            )
        context = {**site.each_context(request), "title": "Two-factor authentication"}
        if user_has_device(user):
            return render(request, "admin/two_factor.html", {**context, "enrolled": True})
        # One pending device per user, kept across visits so a scanned code stays valid.
        device, _ = TOTPDevice.objects.get_or_create(user=user, name=DEVICE_NAME, confirmed=False)
        form = ConfirmForm(request.POST or None)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)  # this session now counts as verified
                messages.success(request, "Two-factor authentication is on. Sign-ins now ask for a code.")
                return HttpResponseRedirect(reverse("admin:index", current_app=site.name))
            form.add_error("token", "That code is not valid. Check the clock of your phone and try again.")
        url = device.config_url
        return render(
            request,
            "admin/two_factor.html",
            {
                **context,
                "form": form,
                "qr_svg": segno.make(url, error="m").svg_inline(
                    scale=4, title="Scan with an authenticator app"
                ),
                "secret": b32encode(device.bin_key).decode(),
            },
        )

    return view
