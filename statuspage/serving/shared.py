"""Snapshots shared between web processes through Redis, so a change is rendered once, not per process.

Every call tolerates Redis being down: a miss, and each process renders for itself. Keys are scoped
by database, so two deployments (or test runs) sharing a Redis never serve each other's pages.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection

if TYPE_CHECKING:
    from statuspage.serving.snapshot import Snapshot

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600
LOCK_SECONDS = 15


def _prefix() -> str:
    db = connection.settings_dict
    scope = hashlib.blake2b(f"{db['HOST']}:{db['PORT']}/{db['NAME']}".encode(), digest_size=6).hexdigest()
    return f"statuspage:snapshot:{scope}:"


def load(key: str) -> Snapshot | None:
    try:
        return cache.get(_prefix() + key)
    except Exception:
        log.info("snapshot store unreachable (Redis)", exc_info=True)
        return None


def load_latest() -> Snapshot | None:
    try:
        return cache.get(_prefix() + "latest")
    except Exception:
        log.info("snapshot store unreachable (Redis)", exc_info=True)
        return None


def save(snapshot: Snapshot) -> None:
    try:
        cache.set(_prefix() + snapshot.key, snapshot, timeout=KEEP_SECONDS)
        # Kept without expiry: what a process started while Postgres is down serves.
        cache.set(_prefix() + "latest", snapshot, timeout=None)
    except Exception:
        log.info("could not share the snapshot (Redis)", exc_info=True)


def claim(key: str) -> bool:
    """True when this process should render `key`; another process holds it otherwise."""
    try:
        return bool(cache.add(_prefix() + "lock:" + key, 1, timeout=LOCK_SECONDS))
    except Exception:
        return True
