"""The one definition of uptime: time-weighted over status intervals, partial outage counts 0.3."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitors.history import uptime

DAY = date(2026, 3, 1)
MIDNIGHT = datetime(2026, 3, 1, tzinfo=UTC)
HOUR_MS = 3_600_000.0


def at(hours: float) -> datetime:
    return MIDNIGHT + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("ms_by_status", "expected"),
    [
        ({"operational": 20 * HOUR_MS, "major_outage": 4 * HOUR_MS}, 20 / 24),
        ({"operational": 14 * HOUR_MS, "partial_outage": 10 * HOUR_MS}, 1 - 0.3 * 10 / 24),
        ({"degraded_performance": 12 * HOUR_MS, "under_maintenance": 12 * HOUR_MS}, 1.0),
        ({}, None),
    ],
)
def test_component_uptime_weighs_partial_outage_at_0_3_and_counts_degraded_and_maintenance_as_up(
    ms_by_status, expected
):
    assert uptime.uptime(ms_by_status, uptime.COMPONENT_WEIGHTS) == pytest.approx(expected)


def test_monitor_uptime_leaves_out_unknown_and_paused_time():
    times = {
        "up": 3 * HOUR_MS,
        "degraded": HOUR_MS,
        "down": HOUR_MS,
        "unknown": 10 * HOUR_MS,
        "paused": HOUR_MS,
    }
    assert uptime.uptime(times, uptime.MONITOR_WEIGHTS, uptime.MONITOR_UNOBSERVED) == pytest.approx(0.8)
    assert uptime.uptime({"unknown": HOUR_MS}, uptime.MONITOR_WEIGHTS, uptime.MONITOR_UNOBSERVED) is None


@pytest.mark.parametrize("ms", [(3, 1, 1), (0, 0, 5), (7, 0, 0), (0, 0, 0)])
def test_the_monitor_shortcut_is_the_definition(ms):
    up, degraded, down = ms
    times = {"up": up, "degraded": degraded, "down": down, "unknown": 9}
    expected = uptime.uptime(times, uptime.MONITOR_WEIGHTS, uptime.MONITOR_UNOBSERVED)
    assert uptime.monitor_uptime(up, degraded, down) == expected


def test_bars_are_coloured_by_weighted_downtime():
    assert uptime.downtime_ms({"partial_outage": 10.0, "major_outage": 1.0}, uptime.COMPONENT_WEIGHTS) == 4.0


def test_time_in_status_integrates_the_intervals_inside_the_window():
    changes = [
        (at(-5), "partial_outage"),
        (at(2), "major_outage"),
        (at(3), "operational"),
        (at(30), "major_outage"),
    ]
    spent = uptime.time_in_status("operational", changes, at(0), at(24))
    assert spent == {"partial_outage": 2 * HOUR_MS, "major_outage": HOUR_MS, "operational": 21 * HOUR_MS}


def test_daily_time_is_cut_at_now_and_before_the_component_existed():
    changes = [(at(36), "major_outage"), (at(37), "operational")]
    days = uptime.daily_ms("operational", changes, DAY - timedelta(days=1), 3, now=at(40), existed_from=at(6))
    assert days[0] == {}  # before it existed: no uptime at all, not 100 %
    assert days[1] == {"operational": 18 * HOUR_MS}
    assert days[2] == {"operational": 15 * HOUR_MS, "major_outage": HOUR_MS}  # up to now, 16:00
    assert uptime.uptime(days[2], uptime.COMPONENT_WEIGHTS) == pytest.approx(15 / 16)
