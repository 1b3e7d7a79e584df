"""Admin sign-in: failed attempts are throttled, TOTP two-factor when enrolled, careful cookies."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin.conftest import ADMIN

LOGIN = ADMIN + "login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def olga(make_staff):
    return make_staff("olga", operator=True, password=PASSWORD)


def sign_in(client: Client, password: str = PASSWORD, code: str = "", **extra):
    data = {"username": "olga", "password": password, "otp_token": code, "next": ADMIN}
    return client.post(LOGIN, data, **extra)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=steps_ahead):06d}"


def test_a_correct_password_signs_in(client, olga):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_repeated_failed_logins_are_throttled(client, olga, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert sign_in(client, "guess").status_code == 200  # the form again, with its error

    locked = sign_in(client, "guess")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert sign_in(client).status_code == 429  # now even the right password waits
    assert client.get(ADMIN).status_code == 302

    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert sign_in(elsewhere).status_code == 302  # blocked by address: the operator gets in from elsewhere


def test_the_block_lifts_after_the_cool_off(client, olga, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, "guess"), sign_in(client, "guess")
    assert sign_in(client).status_code == 429

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert sign_in(client).status_code == 302


def test_a_success_forgets_earlier_failures(client, olga, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "guess"), sign_in(client, "guess")
    assert sign_in(client).status_code == 302
    client.post(ADMIN + "logout/")
    sign_in(client, "guess"), sign_in(client, "guess")
    assert sign_in(client).status_code == 302


@pytest.fixture
def enrolled(olga) -> TOTPDevice:
    return TOTPDevice.objects.create(user=olga, name="authenticator", confirmed=True)


def test_an_enrolled_user_needs_the_code(client, enrolled):
    without = sign_in(client)
    assert (
        without.status_code == 200
        and "Enter the code from your authenticator app." in without.content.decode()
    )
    wrong = sign_in(client, code="000000" if code_for(enrolled) != "000000" else "111111")
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302

    enrolled.throttle_reset()  # django-otp slows down guessing after the failure above
    assert sign_in(client, code=code_for(enrolled)).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_password_only_session_of_an_enrolled_user_is_not_enough(enrolled):
    client = Client()
    client.force_login(enrolled.user)  # authenticated, but without the second factor
    assert client.get(ADMIN).status_code == 302


def test_an_operator_enrols_an_authenticator_app(client, olga):
    sign_in(client)
    page = client.get(ADMIN + "two-factor/").content.decode()
    assert "<svg" in page  # the QR code
    secret = re.search(r"Key: <code>([A-Z2-7]+)</code>", page)[1]
    device = TOTPDevice.objects.get(user=olga, confirmed=False)
    assert b32decode(secret) == device.bin_key

    assert "not valid" in client.post(ADMIN + "two-factor/", {"token": "12"}).content.decode()
    device.throttle_reset()
    response = client.post(ADMIN + "two-factor/", {"token": code_for(device)})

    assert response.status_code == 302 and client.get(ADMIN).status_code == 200  # this session is verified
    device.refresh_from_db()
    assert device.confirmed
    client.post(ADMIN + "logout/")
    assert sign_in(client).status_code == 200  # from now on the code is asked for
    assert sign_in(client, code=code_for(device, steps_ahead=1)).status_code == 302


def test_when_two_factor_is_required_a_user_without_it_must_enrol_first(client, olga, settings):
    settings.ADMIN_REQUIRE_2FA = True
    assert sign_in(client).status_code == 302
    index = client.get(ADMIN)
    assert index.status_code == 302
    assert client.get(index["Location"])["Location"] == ADMIN + "two-factor/"
    assert client.get(ADMIN + "two-factor/").status_code == 200


def test_cookies_are_out_of_reach_of_scripts_and_other_sites(client, olga):
    client.get(LOGIN)
    sign_in(client)
    session, csrf = client.cookies["sessionid"], client.cookies["csrftoken"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_a_login_without_csrf_token_is_refused(olga):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client).status_code == 403


def test_an_ipv6_client_counts_by_its_64(olga, settings):
    settings.AXES_FAILURE_LIMIT, settings.ADMIN_LOGIN_USERNAME_BACKOFF_AFTER = 5, 100
    # Each guess from another address of the same /64: one client to the lockout.
    results = [sign_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{i:x}"), "guess").status_code for i in range(1, 13)]

    assert results[:4] == [200] * 4 and set(results[4:]) == {429}
    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:2::abcd")).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:3::1")).status_code == 302  # the next /64 is another client


def test_guesses_for_one_username_from_many_networks_back_off(olga, settings):
    settings.AXES_FAILURE_LIMIT, settings.ADMIN_LOGIN_USERNAME_BACKOFF_AFTER = 5, 10
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for network in range(10):  # no network reaches the lockout
            assert sign_in(Client(REMOTE_ADDR=f"198.51.100.{network}"), "guess").status_code == 200

        refused = sign_in(Client(REMOTE_ADDR="203.0.113.9"))
        assert refused.status_code == 200
        assert "Too many failed sign-ins for this user; try again in 1 seconds." in refused.content.decode()

    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert sign_in(Client(REMOTE_ADDR="203.0.113.9")).status_code == 302  # the wait is short
