"""The current snapshot of everything public, re-rendered once per page version and refresh period.

Per request this is one clock read and one attribute load. At most once per PAGE_VERSION_TTL a
request reads the version (one query) and, when it moved, renders or fetches the new snapshot while
the other threads keep serving the old one. When Postgres is unreachable the last snapshot is served,
marked stale with its age, and retried every PAGE_RETRY_SECONDS.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from statuspage.lib import pageversion
from statuspage.serving import shared
from statuspage.serving.artifacts import Artifact

log = logging.getLogger(__name__)

LAZY_ENTRIES = 512
SHARED_WAIT_SECONDS = 0.1

T = TypeVar("T")


class Unavailable(Exception):
    """No snapshot has ever been rendered and the database cannot be reached."""


@dataclass(frozen=True)
class Snapshot:
    key: str  # "<page version>.<refresh period>": the same in every process
    version: int
    built_at: float  # wall clock, seconds
    artifacts: dict[str, Artifact] = field(repr=False)
    # Wall clock: when the pipeline watchdog's verdict may change (components/watchdog.py); rendered
    # again then, whatever the version, so "monitoring delayed" shows when it starts and ends.
    recheck_at: float = math.inf


@dataclass
class Render:
    """One rendering of the snapshot: its clock, and the reads its builders share (each made once)."""

    now: datetime
    _reads: dict[Any, Any] = field(default_factory=dict, repr=False)
    # Wall clock: the earliest moment a builder said what it read may change without a page version
    # (the pipeline watchdog's verdict); the snapshot is rendered again then.
    recheck_at: float = math.inf

    def once(self, key: str, make: Callable[[], T]) -> T:
        """What `make` returns, made once per rendering under `key` (for reads that need more than `now`)."""
        if key not in self._reads:
            self._reads[key] = make()
        return self._reads[key]

    def recheck_by(self, at: float) -> None:
        self.recheck_at = min(self.recheck_at, at)

    def read(self, reader: Callable[[datetime], T]) -> T:
        if reader not in self._reads:
            self._reads[reader] = reader(self.now)
        return self._reads[reader]


Builder = Callable[[Render], dict[str, Artifact]]
_builders: list[Builder] = []


def register(builder: Builder) -> None:
    """Add a room's eager artifacts to every snapshot (each surface calls this from AppConfig.ready)."""
    if builder not in _builders:
        _builders.append(builder)


def build() -> tuple[dict[str, Artifact], float]:
    """Every registered room's eager artifacts, rendered from one read of the database, and when to
    render them again whatever the page version (wall clock; inf when only a new version will do)."""
    render = Render(timezone.now())
    out: dict[str, Artifact] = {}
    for builder in _builders:
        out.update(builder(render))
    return out, render.recheck_at


class Store:
    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.next_check = 0.0  # monotonic
        self.failing = False
        self._lock = threading.Lock()
        self._lazy: OrderedDict[str, tuple[str, Artifact | None]] = OrderedDict()

    def current(self) -> Snapshot:
        snapshot = self.snapshot
        if snapshot is not None and time.monotonic() < self.next_check and time.time() < snapshot.recheck_at:
            return snapshot
        # One thread refreshes; the others serve what there is rather than queue behind it.
        if self._lock.acquire(blocking=snapshot is None):
            try:
                if self.snapshot is None or time.monotonic() >= self.next_check:
                    self._refresh()
            finally:
                self._lock.release()
        if self.snapshot is None:
            raise Unavailable
        return self.snapshot

    def stale_age(self, snapshot: Snapshot) -> tuple[bool, int]:
        """Whether to mark the snapshot stale, and its age in whole seconds."""
        age = max(0, int(time.time() - snapshot.built_at))
        return self.failing or age > 3 * settings.PAGE_REFRESH_SECONDS, age

    def lazy(self, path: str, key: str, render: Callable[[], Artifact | None]) -> Artifact | None:
        """An artifact rendered on first request for `key`; the last one stands in while Postgres is down.

        Returns None when `render` says the thing does not exist (a 404).
        """
        entry = self._lazy.get(path)
        if entry is not None and (entry[0] == key or self.failing):
            return entry[1]
        try:
            artifact = render()
            artifact = artifact and replace(artifact, modified=time.time())
        except DatabaseError:
            self._failed("render " + path)
            if entry is None:
                raise Unavailable from None
            return entry[1]
        self._lazy[path] = (key, artifact)
        self._lazy.move_to_end(path)
        while len(self._lazy) > LAZY_ENTRIES:
            self._lazy.popitem(last=False)
        return artifact

    def reset(self) -> None:
        """Forget everything (tests, and after a deploy that changes templates in place)."""
        with self._lock:
            self.snapshot, self.next_check, self.failing = None, 0.0, False
            self._lazy.clear()

    def due(self) -> bool:
        """Whether the next current() reads the version (callers outside Django's request cycle then
        recycle stale database connections first, as Django does when a request starts)."""
        return time.monotonic() >= self.next_check

    def _refresh(self) -> None:
        try:
            version = pageversion.read()
            key = f"{version}.{int(time.time() // settings.PAGE_REFRESH_SECONDS)}"
            current = self.snapshot
            if current is None or current.key != key or time.time() >= current.recheck_at:
                fresh = shared.load(key)
                if fresh is not None and time.time() >= fresh.recheck_at:
                    fresh = None  # the watchdog's verdict in it may be out of date: render anew
                # A re-render of the same key (a recheck) is claimed under a name of its own.
                again = current is not None and current.key == key
                claim = f"{key}@{current.recheck_at:.0f}" if again else key
                if fresh is None and self.snapshot is not None and not shared.claim(claim):
                    # Another process is rendering this one: keep serving ours and look again shortly.
                    self.next_check = time.monotonic() + SHARED_WAIT_SECONDS
                    return
                self.snapshot = fresh or self._render(version, key)
        except DatabaseError:
            self._failed("refresh")
            if self.snapshot is None:
                self.snapshot = shared.load_latest()
            return
        self.failing = False
        self.next_check = time.monotonic() + settings.PAGE_VERSION_TTL

    def _render(self, version: int, key: str) -> Snapshot:
        started = time.monotonic()
        artifacts, recheck_at = build()
        now = time.time()
        snapshot = Snapshot(key, version, now, stamp(artifacts, self.snapshot, now), recheck_at)
        log.info("rendered snapshot %s in %.0f ms", key, (time.monotonic() - started) * 1000)
        shared.save(snapshot)
        return snapshot

    def _failed(self, what: str) -> None:
        log.warning("serving the last snapshot: %s failed (database unreachable)", what, exc_info=True)
        self.failing = True
        self.next_check = time.monotonic() + settings.PAGE_RETRY_SECONDS
        with contextlib.suppress(DatabaseError):
            connection.close()  # reconnect from scratch next time


def stamp(artifacts: dict[str, Artifact], previous: Snapshot | None, now: float) -> dict[str, Artifact]:
    """When each artifact last changed: kept from the previous snapshot while its bytes are the same
    (a re-render on the refresh period changes nothing a reader sees), else now."""
    before = previous.artifacts if previous is not None else {}
    return {
        path: replace(
            a, modified=(old.modified or now) if (old := before.get(path)) and old.etag == a.etag else now
        )
        for path, a in artifacts.items()
    }


store = Store()
