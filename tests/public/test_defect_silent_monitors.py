"""When every monitor of a component stops reporting, the component keeps its status (no evidence is
not an outage) but the page says so; the page version moves, and operators hear of it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from monitors.models import Monitor
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record, sweep_stale
from statuspage.components.models import ComponentGroup
from statuspage.components.propagation import propagate
from statuspage.incidents.models import Incident
from statuspage.lib import pageversion
from statuspage.subscriptions.models import Delivery, OperatorAlert

NOTE = "No probe results since"
SILENCE = timedelta(minutes=10)  # well past three 60-second intervals


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user("olga", "olga@example.com", is_staff=True)


@pytest.fixture
def reported(make_monitor) -> Monitor:
    """A monitor that reported up a moment ago, as the workers do while they run."""
    monitor = make_monitor(status="up", interval_s=60)
    record([Observation(monitor.pk, Outcome.OK, timezone.now())])
    monitor.refresh_from_db()
    return monitor


def row_of(page: str, name: str) -> str:
    start = page.index(f'<h3 class="name">{name}</h3>')
    return page[start : page.index("</li>", start)]


def sweep_and_propagate(callbacks_capture) -> list:
    """What beat's sweeps do, with the on-commit callbacks (the version bump) run as on commit."""
    with callbacks_capture(execute=True) as callbacks:
        sweep_stale(timezone.now())
        propagate(timezone.now())
    return callbacks


def test_a_silent_component_keeps_its_status_with_a_note_and_opens_nothing(
    client, reported, make_component, django_capture_on_commit_callbacks
):
    make_component("Chat", monitors=[reported])
    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        sweep_and_propagate(django_capture_on_commit_callbacks)
        page = client.get("/").content.decode()

    row = row_of(page, "Chat")
    assert NOTE in row and reported.last_probe_at.strftime("%H:%M UTC") in row
    assert "Operational" in row
    reported.refresh_from_db()
    assert reported.status == "unknown"
    assert not Incident.objects.exists()


def test_the_note_shows_even_when_nothing_is_left_to_sweep(client, reported, make_component):
    make_component("Chat", monitors=[reported])
    assert NOTE not in client.get("/").content.decode()

    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        pageversion.bump()  # the page's own refresh period, shortened: no worker marked anything
        assert NOTE in row_of(client.get("/").content.decode(), "Chat")


def test_going_silent_and_coming_back_move_the_page_version(
    reported, make_component, django_capture_on_commit_callbacks
):
    make_component("Chat", monitors=[reported])
    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        assert pageversion.bump in sweep_and_propagate(django_capture_on_commit_callbacks)
        record([Observation(reported.pk, Outcome.OK, timezone.now())])
        with django_capture_on_commit_callbacks() as callbacks:
            propagate(timezone.now())
    assert pageversion.bump in callbacks


def test_one_reporting_monitor_is_enough_evidence(client, reported, make_monitor, make_component):
    fresh = make_monitor(status="up", interval_s=3600)
    record([Observation(fresh.pk, Outcome.OK, timezone.now())])
    make_component("Chat", monitors=[reported, fresh])
    make_component("Brand new", monitors=[make_monitor()])  # never reported: nothing to say "since"

    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        pageversion.bump()
        page = client.get("/").content.decode()

    assert NOTE not in page


def test_a_collapsed_group_opens_to_show_the_note(client, reported, make_component):
    group = ComponentGroup.objects.create(name="Models", collapsed=True)
    make_component("Chat", group=group, monitors=[reported])

    assert f'id="group-{group.public_id}" open' not in client.get("/").content.decode()
    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        pageversion.bump()
        page = client.get("/").content.decode()

    assert f'id="group-{group.public_id}" open' in page and NOTE in page


def test_operators_are_alerted_once(operator, reported, make_component, django_capture_on_commit_callbacks):
    make_component("Chat", monitors=[reported])
    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        sweep_and_propagate(django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + 2 * SILENCE, tick=False):
        sweep_and_propagate(django_capture_on_commit_callbacks)  # still silent: nothing new to say

    alert = OperatorAlert.objects.get()
    assert alert.subject == "1 monitor(s) stopped reporting" and str(reported) in alert.body
    assert list(Delivery.objects.filter(alert=alert).values_list("recipient", flat=True)) == [operator.email]


def test_a_misconfigured_monitor_that_still_reports_raises_its_own_alert_not_a_silence_one(
    operator, reported, make_component, django_capture_on_commit_callbacks
):
    make_component("Chat", monitors=[reported])
    for second in (1, 2):  # still misconfigured on the next probe: one alert per episode
        failed = Observation(reported.pk, Outcome.AUTH_ERROR, timezone.now() + timedelta(seconds=second))
        failed.message = "invalid x-api-key"
        record([failed])
        sweep_and_propagate(django_capture_on_commit_callbacks)
    reported.refresh_from_db()
    assert reported.status == "unknown" and reported.misconfigured

    alert = OperatorAlert.objects.get()
    assert alert.subject == f"Monitor misconfigured: {reported}"
    assert "invalid x-api-key" in alert.body and f"/monitors/monitor/{reported.pk}/change/" in alert.body
    assert list(Delivery.objects.filter(alert=alert).values_list("recipient", flat=True)) == [operator.email]


def test_failover_flags_a_silent_monitor(client, reported):
    with time_machine.travel(timezone.now() + SILENCE, tick=False):
        (candidate,) = client.get("/api/failover.json?capability=chat").json()["candidates"]
    assert candidate["stale"] is True and candidate["status"] == "unknown"
    (candidate,) = client.get("/api/failover.json?capability=chat&family=gpt").json()["candidates"]
    assert candidate["stale"] is False and candidate["status"] == "up"
