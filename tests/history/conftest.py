"""History fixtures: observations at chosen times, the rollup feed run to the end, rollup snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.history import aggregator
from monitors.models import DailyRollup, HourlyRollup
from monitors.outcomes import Outcome
from monitors.probes.base import Observation


@pytest.fixture
def base():
    """Two days ago at 22:00 UTC: recorded series cross midnight and stay in the past."""
    now = timezone.now()
    return now.replace(hour=22, minute=0, second=0, microsecond=0) - timedelta(days=2)


@pytest.fixture
def observe():
    def make(monitor, at, outcome=Outcome.OK, region="default", **measured) -> Observation:
        if outcome in (Outcome.OK, Outcome.SLOW):
            measured = {
                "ttft_ms": 300.0,
                "total_ms": 900.0,
                "tokens_per_s": 50.0,
                "http_status": 200,
                **measured,
            }
        return Observation(monitor_id=monitor.pk, outcome=outcome, started_at=at, region=region, **measured)

    return make


@pytest.fixture
def feed():
    """Run the rollup feed over everything recorded so far (what the beat task does every minute)."""

    def run() -> int:
        return aggregator.catch_up(timezone.now() + timedelta(days=1), timedelta(0))

    return run


def snapshot(model) -> dict:
    period = "hour" if model is HourlyRollup else "day"
    return {
        (r.monitor_id, r.region, getattr(r, period)): (
            r.probes, r.up_ms, r.degraded_ms, r.down_ms, r.unknown_ms, r.outcomes, r.ttft, r.total, r.tps,
        )
        for r in model.objects.all()
    }  # fmt: skip


@pytest.fixture
def rollups_now():
    return lambda: (snapshot(HourlyRollup), snapshot(DailyRollup))
