"""Per-day uptime from the component's status intervals (the one definition); incidents name the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from statuspage.incidents import services
from statuspage.public import charts
from statuspage.readmodel import history

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def chat(make_component):
    return make_component("Chat", created_at=NOW - timedelta(days=10))


# What an incident of each impact sets its component to (Statuspage's weights: 1, 0.3 and 0).
SHOWN = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance"}


def outage(component, impact, start, hours):
    incident = services.open_incident(
        name=f"{impact} outage", impact=impact, body="x", component_statuses={component: SHOWN[impact]},
        now=start,
    )  # fmt: skip
    services.post_update(
        incident, status="resolved", body="y", component_statuses={component: "operational"},
        now=start + timedelta(hours=hours),
    )  # fmt: skip


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


def test_an_outage_that_eases_counts_each_interval_at_its_own_weight(chat):
    start = datetime(2026, 5, 18, 0, tzinfo=UTC)
    incident = services.open_incident(
        name="outage", impact="critical", body="x", component_statuses={chat: "major_outage"}, now=start
    )
    services.post_update(incident, status="monitoring", body="y", component_statuses={chat: "partial_outage"},
                         now=start + timedelta(hours=3))  # fmt: skip
    services.post_update(incident, status="resolved", body="z", component_statuses={chat: "operational"},
                         now=start + timedelta(hours=9))  # fmt: skip
    day = history.day_cells([chat], NOW)[chat.pk][-3]
    assert day.uptime == pytest.approx(1 - (3 + 6 * 0.3) / 24)


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
