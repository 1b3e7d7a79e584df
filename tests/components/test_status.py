"""Component status derived from monitor statuses (pure function)."""

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.components.status import derive

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("monitors", "expected"),
    [
        (["up", "up"], "operational"),
        (["up", "degraded"], "degraded_performance"),
        (["up", "down"], "partial_outage"),
        (["down", "down"], "major_outage"),
        (["down", "unknown"], "major_outage"),
        (["down", "degraded"], "partial_outage"),
        (["up", "paused"], "operational"),
    ],
)
def test_status_from_monitors(monitors, expected):
    assert derive(monitors, current="operational", now=NOW) == expected


def test_no_evidence_keeps_the_current_status():
    assert derive(["unknown", "paused"], current="partial_outage", now=NOW) == "partial_outage"


def test_operator_override_wins_until_it_expires():
    later = NOW + timedelta(hours=1)
    kwargs = {"current": "operational", "override_status": "major_outage", "override_until": later}
    assert derive(["up"], now=NOW, **kwargs) == "major_outage"
    assert derive(["up"], now=later + timedelta(seconds=1), **kwargs) == "operational"


def test_maintenance_beats_monitor_evidence():
    assert derive(["down"], current="operational", in_maintenance=True, now=NOW) == "under_maintenance"
