"""Scheduled maintenance: windows start and complete on their own and silence automation inside."""

from __future__ import annotations

import pytest

from statuspage.incidents import automation, maintenance
from statuspage.incidents.drafts import MaintenanceDraft
from statuspage.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(world):
    return maintenance.schedule(
        MaintenanceDraft(
            name="Database upgrade",
            body="We will upgrade the database.",
            components=[world.chat],
            starts_at=world.at(600),
            ends_at=world.at(1800),
        ),
        now=world.now,
    )


def kinds():
    return sorted(Incident.objects.values_list("kind", "status"))


def test_a_scheduled_window_waits_for_its_start(world, window):
    automation.sweep(world.at(599))
    window.refresh_from_db()
    world.refresh()
    assert (window.status, window.impact, world.chat.status) == ("scheduled", "maintenance", "operational")


def test_the_window_starts_by_itself_and_its_components_show_maintenance(world, window):
    automation.sweep(world.at(600))
    window.refresh_from_db()
    world.refresh()
    assert (window.status, world.chat.status, world.models.status) == (
        "in_progress", "under_maintenance", "operational",
    )  # fmt: skip
    update = window.updates.order_by("-display_at").first()
    assert update.affected_components[0]["new_status"] == "under_maintenance"
    automation.sweep(world.at(601))
    assert window.updates.count() == 2  # safe to run twice


def test_monitors_failing_inside_the_window_raise_no_incident(world, window):
    automation.sweep(world.at(600))
    world.monitor_moves(world.chat_monitor, "down", 700)
    world.refresh()
    assert world.chat.status == "under_maintenance"
    assert kinds() == [("maintenance", "in_progress")]


def test_a_component_outside_the_window_still_alarms(world, window):
    automation.sweep(world.at(600))
    world.monitor_moves(world.models_monitor, "down", 700)
    assert ("incident", "investigating") in kinds()


def test_completion_hands_the_component_back_to_its_monitors(world, window):
    automation.sweep(world.at(600))
    automation.sweep(world.at(1800))
    window.refresh_from_db()
    world.refresh()
    assert (window.status, world.chat.status) == ("completed", "operational")
    assert [u.status for u in window.updates.order_by("display_at")] == [
        "scheduled",
        "in_progress",
        "completed",
    ]


def test_an_outage_that_outlasts_the_window_opens_an_incident_when_it_ends(world, window):
    automation.sweep(world.at(600))
    world.monitor_moves(world.chat_monitor, "down", 700)
    automation.sweep(world.at(1800))
    world.refresh()
    assert world.chat.status == "major_outage"
    assert kinds() == [("incident", "investigating"), ("maintenance", "completed")]


def test_overlapping_windows_keep_maintenance_until_the_last_ends(world, window):
    maintenance.schedule(
        MaintenanceDraft(
            name="Network work",
            body="...",
            components=[world.chat],
            starts_at=world.at(900),
            ends_at=world.at(2400),
        ),
        now=world.now,
    )
    automation.sweep(world.at(1000))
    automation.sweep(world.at(1800))
    world.refresh()
    assert world.chat.status == "under_maintenance"
    automation.sweep(world.at(2400))
    world.refresh()
    assert world.chat.status == "operational"


def test_a_window_must_end_after_it_starts(world):
    with pytest.raises(ValueError, match="end after"):
        maintenance.schedule(
            MaintenanceDraft(name="x", body="x", components=[], starts_at=world.at(10), ends_at=world.at(10)),
            now=world.now,
        )
