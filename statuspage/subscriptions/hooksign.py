"""Webhook secrets and signatures, as Standard Webhooks defines them (HMAC-SHA256 of id, timestamp, body).

The secret is derived from SECRET_KEY and the subscriber's id, so no secret is stored; a receiver can
verify with any Standard Webhooks library, or by hand as `verify` does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.utils.crypto import salted_hmac

PREFIX = "whsec_"


def secret_key(subscriber_public_id: str) -> bytes:
    return salted_hmac(
        "statuspage.subscriptions.webhook-secret", subscriber_public_id, algorithm="sha256"
    ).digest()


def secret(subscriber_public_id: str) -> str:
    """The secret as shown to the subscriber."""
    return PREFIX + base64.b64encode(secret_key(subscriber_public_id)).decode()


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(subscriber_public_id: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret_key(subscriber_public_id), message_id, timestamp, body),
    }


def verify(secret_text: str, message_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """What a receiver does: recompute and compare in constant time (any of space-separated signatures)."""
    key = base64.b64decode(secret_text.removeprefix(PREFIX))
    expected = signature(key, message_id, int(timestamp), body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures.split())
