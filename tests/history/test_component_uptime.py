"""Component uptime per day from the component status log (docs/uptime.md), the page's 90 bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.components import models

pytestmark = pytest.mark.skipif(
    not hasattr(models, "ComponentStatusChange"),
    reason="the component status log (issue 4) is not merged yet",
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def midnight(days_ago: int) -> datetime:
    return NOW.replace(hour=0) - timedelta(days=days_ago)


@pytest.fixture
def log():
    def change(component, at, old, new):
        models.ComponentStatusChange.objects.create(
            component=component, old_status=old, new_status=new, created_at=at, source="test"
        )

    return change


def test_days_weigh_partial_outage_at_0_3_and_count_maintenance_as_up(make_component, log, db):
    from statuspage.components import uptime

    component = make_component(created_at=midnight(10))
    log(component, midnight(2) + 10 * HOUR, "operational", "partial_outage")
    log(component, midnight(2) + 12 * HOUR, "partial_outage", "major_outage")
    log(component, midnight(2) + 13 * HOUR, "major_outage", "operational")
    log(component, midnight(0) + 1 * HOUR, "operational", "under_maintenance")
    log(component, midnight(0) + 2 * HOUR, "under_maintenance", "operational")

    days = uptime.daily([component], 3, NOW)[component.pk]
    assert [d.day for d in days] == [midnight(n).date() for n in (2, 1, 0)]
    assert days[0].uptime == pytest.approx(1 - (1 + 0.3 * 2) / 24)
    assert days[0].downtime_ms == pytest.approx((1 + 0.3 * 2) * 3_600_000)
    assert (days[1].uptime, days[2].uptime) == (1.0, 1.0)
    assert days[2].ms("under_maintenance") == 3_600_000  # today counts up to now only
    assert uptime.overall(days) == pytest.approx(1 - 1.6 / 60)


def test_the_status_before_the_window_carries_in_and_days_before_the_component_are_empty(
    make_component, log, db
):
    from statuspage.components import uptime

    component = make_component(created_at=midnight(30))
    log(component, midnight(20), "operational", "major_outage")  # still down: no change since
    young = make_component("Young", created_at=midnight(0) + 6 * HOUR, status="degraded_performance")

    days = uptime.daily([component, young], 2, NOW)
    assert [d.uptime for d in days[component.pk]] == [0.0, 0.0]
    assert [d.uptime for d in days[young.pk]] == [None, 1.0]  # no change logged: its current status
