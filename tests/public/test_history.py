"""Per-day uptime from weighted outage intervals (pure reads of incidents; no probe results)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from statuspage.incidents import services
from statuspage.public import charts, history

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def chat(make_component):
    return make_component("Chat", created_at=NOW - timedelta(days=10))


def outage(component, impact, start, hours):
    incident = services.open_incident(
        name=f"{impact} outage", impact=impact, body="x", component_statuses={component: "major_outage"},
        now=start,
    )  # fmt: skip
    services.post_update(incident, status="resolved", body="y", now=start + timedelta(hours=hours))


def test_days_before_the_component_existed_have_no_data(chat):
    cells = history.day_cells([chat], NOW)[chat.pk]
    assert len(cells) == 90 and cells[-1].date == date(2026, 5, 20)
    assert [c.level for c in cells[:79]] == ["none"] * 79  # Feb 20 to May 9
    assert {c.level for c in cells[79:]} == {"ok"}
    assert history.uptime(cells) == 1.0


@pytest.mark.parametrize(
    ("impact", "expected"),
    [("critical", 0.75), ("major", 1 - 0.25 * 0.3), ("minor", 1.0)],
)
def test_a_six_hour_outage_costs_a_quarter_day_weighted_by_impact(chat, impact, expected):
    outage(chat, impact, datetime(2026, 5, 18, 6, tzinfo=UTC), 6)
    day = history.day_cells([chat], NOW)[chat.pk][-3]
    assert day.uptime == pytest.approx(expected)
    assert day.incidents == (f"{impact} outage",)


def test_overlapping_outages_count_once_at_the_worst_weight(chat):
    outage(chat, "critical", datetime(2026, 5, 18, 0, tzinfo=UTC), 6)
    outage(chat, "major", datetime(2026, 5, 18, 3, tzinfo=UTC), 6)
    day = history.day_cells([chat], NOW)[chat.pk][-3]
    assert day.uptime == pytest.approx(1 - (6 + 3 * 0.3) / 24)


def test_an_outage_across_midnight_splits_between_days(chat):
    outage(chat, "critical", datetime(2026, 5, 17, 18, tzinfo=UTC), 12)
    cells = history.day_cells([chat], NOW)[chat.pk]
    assert cells[-4].uptime == pytest.approx(0.75) and cells[-3].uptime == pytest.approx(0.75)


def test_today_counts_only_the_hours_so_far(chat):
    outage(chat, "critical", datetime(2026, 5, 20, 0, tzinfo=UTC), 6)
    assert history.day_cells([chat], NOW)[chat.pk][-1].uptime == pytest.approx(0.5)


def test_uptime_never_rounds_up_to_a_perfect_100(chat):
    outage(chat, "critical", datetime(2026, 5, 18, 6, tzinfo=UTC), 0.01)
    cells = history.day_cells([chat], NOW)[chat.pk]
    assert history.uptime(cells) < 1.0
    assert charts.pct(history.uptime(cells)) == "99.99%"
