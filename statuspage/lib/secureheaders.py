"""The security headers Django's middleware gives its responses, for the WSGI fast path that skips it."""

from __future__ import annotations

from functools import cache
from typing import Any

from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


def is_https(environ: dict[str, Any]) -> bool:
    """As `HttpRequest.is_secure` decides: the trusted proxy's header when one is set, else the scheme."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        return environ.get(header, "").split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def headers(https: bool) -> list[tuple[str, str]]:
    """HSTS (https only), Cross-Origin-Opener-Policy and the Content-Security-Policy, as Django sends."""
    return list(_https_headers() if https else _common())


@cache
def _common() -> tuple[tuple[str, str], ...]:
    common = [("Content-Security-Policy", build_policy())]
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        common.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return tuple(common)


@cache
def _https_headers() -> tuple[tuple[str, str], ...]:
    if not settings.SECURE_HSTS_SECONDS:
        return _common()
    hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        hsts += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        hsts += "; preload"
    return (("Strict-Transport-Security", hsts), *_common())


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """Tests change settings; Django clears its own caches of them the same way."""
    _common.cache_clear()
    _https_headers.cache_clear()
