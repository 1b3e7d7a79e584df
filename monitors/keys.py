"""Which environment variables a monitor may name as its API key: only ones that look like keys.

A probe sends the named variable's value to the monitor's URL, so naming DATABASE_URL or SECRET_KEY
would hand our own secrets to whoever runs that URL. Allowed: names ending in _API_KEY, _KEY or
_TOKEN, and the exact names in the API_KEY_ENV_ALLOWED setting. Refused whatever they end in: our own
settings (SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_*, anything Django's settings hold, ...).
"""

from __future__ import annotations

import re

from django.conf import settings

_LOOKS_LIKE_A_KEY = re.compile(r"^[A-Z][A-Z0-9_]*_(API_KEY|KEY|TOKEN)$")
_OURS = re.compile(
    r"^(SECRET_KEY|DATABASE_URL|REDIS_URL|EMAIL_\w*|DJANGO_\w*|AWS_SECRET\w*|DEFAULT_FROM_EMAIL|"
    r"ADMIN_\w*|SITE_\w*|STATUSPAGE_\w*|CELERY_\w*)$"
)


def refusal(name: str) -> str:
    """Why `name` may not be used as an API key variable; empty when it may (or is empty)."""
    if not name:
        return ""
    allowed = set(getattr(settings, "API_KEY_ENV_ALLOWED", ()))
    if name in allowed:
        return ""
    if _OURS.match(name) or hasattr(settings, name):  # any of our settings, present or future
        return (
            f"{name} is one of statuspage's own settings, never an API key; name the provider's key variable"
        )
    if not _LOOKS_LIKE_A_KEY.match(name):
        return (
            f"{name} does not look like an API key variable: use a name ending in _API_KEY, _KEY or "
            "_TOKEN, or list it in API_KEY_ENV_ALLOWED"
        )
    return ""
