"""The template context every public page shares (rendered without a request: the page is shared)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def base_context() -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "poll_seconds": settings.PAGE_POLL_SECONDS,
    }
