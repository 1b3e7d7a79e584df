"""Signed, expiring tokens in subscription links; no account, the link is the credential."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse


class Purpose(StrEnum):
    CONFIRM = "confirm"
    MANAGE = "manage"
    UNSUBSCRIBE = "unsubscribe"


class BadToken(Exception):
    """The link was altered, is for another purpose, or has expired (`expired` says which)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _signer(purpose: Purpose) -> signing.TimestampSigner:
    # A salt per purpose: a manage link cannot be replayed as a confirmation, and so on.
    return signing.TimestampSigner(salt=f"statuspage.subscriptions.{purpose}")


def _max_age(purpose: Purpose) -> int:
    if purpose == Purpose.CONFIRM:
        return settings.SUBSCRIPTION_CONFIRM_MAX_AGE
    return settings.SUBSCRIPTION_LINK_MAX_AGE


def make(purpose: Purpose, subscriber_public_id: str) -> str:
    return _signer(purpose).sign(subscriber_public_id)


def read(purpose: Purpose, token: str) -> str:
    """The subscriber's public id from a token, or BadToken."""
    try:
        return _signer(purpose).unsign(token, max_age=_max_age(purpose))
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken(expired=False) from None


def link(purpose: Purpose, subscriber_public_id: str) -> str:
    """The absolute URL of a subscription page carrying a fresh token."""
    return link_prefix(purpose) + make(purpose, subscriber_public_id)


def link_prefix(purpose: Purpose) -> str:
    """Everything of a link before its token (a caller making many links can keep it)."""
    return settings.SITE_URL + reverse(f"subscriptions-{purpose}", args=["-"]).removesuffix("-")
