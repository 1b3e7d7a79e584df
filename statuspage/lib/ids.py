"""Opaque public ids in Statuspage's style: 12 lowercase alphanumerics."""

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def public_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))
