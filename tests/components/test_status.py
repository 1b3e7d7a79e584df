"""Component status derived from monitor statuses (pure function)."""

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.components.models import worst
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
        (["degraded", "degraded"], "degraded_performance"),
        (["down"], "major_outage"),
        (["up"], "operational"),
        (["unknown", "up"], "operational"),
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


def test_an_override_without_expiry_stands_until_cleared():
    kwargs = {"current": "operational", "override_status": "partial_outage"}
    assert derive(["up"], now=NOW + timedelta(days=365), **kwargs) == "partial_outage"


def test_an_override_beats_maintenance():
    assert derive([], current="operational", override_status="operational", in_maintenance=True, now=NOW) == (
        "operational"
    )


def test_leaving_maintenance_without_evidence_is_operational_not_maintenance():
    assert derive(["unknown"], current="under_maintenance", now=NOW) == "operational"


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        (["operational", "operational"], "operational"),
        (["operational", "degraded_performance"], "degraded_performance"),
        (["under_maintenance", "operational"], "under_maintenance"),
        (["under_maintenance", "partial_outage"], "partial_outage"),
        (["major_outage", "degraded_performance"], "major_outage"),
        ([], "operational"),
    ],
)
def test_a_group_takes_the_worst_child(children, expected):
    assert worst(children) == expected
