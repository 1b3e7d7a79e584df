"""Our own pipeline's freshness as every surface reads it: the watchdog's verdict, with the operators
alerted once an episode by whichever web process renders first (it depends on no worker or beat)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError

from statuspage.components import watchdog
from statuspage.serving.snapshot import Render

log = logging.getLogger(__name__)


def read(now: datetime) -> watchdog.Freshness:
    freshness = watchdog.read(now)
    if freshness.delayed_since is not None:
        try:
            watchdog.raise_alarm(freshness)
        except DatabaseError:
            log.warning("could not store the watchdog's alert", exc_info=True)
    return freshness


def delayed_since(render: Render) -> datetime | None:
    """Since when our own monitoring is late, if it is; the snapshot is rendered again when that may
    change, so the notice shows when it starts and goes when it ends."""
    freshness = render.read(read)
    render.recheck_by(freshness.recheck_at().timestamp())
    return freshness.delayed_since
