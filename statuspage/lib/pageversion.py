"""The page version: bumped after every change readers can see; the public snapshot is keyed by it."""

from __future__ import annotations

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)

KEY = "statuspage:page-version"


def bump() -> None:
    """Call after commit of anything visible (component status, incidents, maintenance)."""
    try:
        cache.incr(KEY)
    except ValueError:  # the key does not exist yet (fresh or flushed cache)
        cache.add(KEY, 1, timeout=None)
    except Exception:  # a cache outage must not fail the write that already committed
        log.warning("could not bump the page version; pages refresh on their own expiry", exc_info=True)


def current() -> int | None:
    try:
        return cache.get(KEY)
    except Exception:
        return None
