"""Read-model fixtures: probe results recorded through the real write path, the feed run on demand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from monitors.history import aggregator
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures


@pytest.fixture
def probe():
    """Record one result per call as a worker would: `probe(monitor, at, outcome, ttft_ms=...)`."""

    def make(monitor, at: datetime, outcome: Outcome = Outcome.OK, region: str = "default", **measured):
        if outcome in (Outcome.OK, Outcome.SLOW):
            measured = {
                "ttft_ms": 300.0,
                "total_ms": 900.0,
                "tokens_per_s": 50.0,
                "http_status": 200,
                **measured,
            }
        record(
            [Observation(monitor_id=monitor.pk, outcome=outcome, started_at=at, region=region, **measured)]
        )

    return make


@pytest.fixture
def feed():
    """The rollup feed, run up to `upto` (default: everything recorded), as beat runs it."""

    def run(upto: datetime | None = None) -> int:
        return aggregator.catch_up(upto or timezone.now() + timedelta(days=1), timedelta(0))

    return run
