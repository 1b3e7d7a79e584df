"""The admin login form: username and password, plus the authenticator code for enrolled users."""

from __future__ import annotations

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils import timezone
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from statuspage.operators import backoff


class OperatorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Two-factor is optional per user: a user with a confirmed TOTP device must give its code.

    Failed passwords count towards django-axes' lockout and the username's backoff (backoff.py); wrong
    codes slow down by django-otp's own throttling of the device (each failure doubles the wait).
    """

    otp_token = forms.CharField(
        required=False,
        label="Authenticator code",
        help_text="Only if you set up two-factor authentication.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    # The mixin reads these two; with one authenticator per user (twofactor.py), none is chosen.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required="Enter the code from your authenticator app.",  # noqa: S106 - a message, not a secret
        invalid_token="That authenticator code is not valid. Try the current one.",  # noqa: S106
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            wait = backoff.wait_needed(username, timezone.now())
            if wait:
                seconds = math.ceil(wait.total_seconds())
                raise forms.ValidationError(
                    f"Too many failed sign-ins for this user; try again in {seconds} seconds.",
                    code="backoff",
                )
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        enrolled = TOTPDevice.objects.devices_for_user(user, confirmed=True)
        return super()._chosen_device(user) or enrolled.first()

    def _update_form(self, user) -> None:
        """The mixin offers a device list here; with one code field there is nothing to update."""
