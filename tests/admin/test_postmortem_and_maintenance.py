"""Postmortems (draft, preview, publish to page, API, feeds and subscribers) and scheduled maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from statuspage.incidents import maintenance, reminders, services
from statuspage.incidents.models import Incident
from statuspage.subscriptions.models import Delivery
from tests.admin.conftest import ADMIN
from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

INCIDENTS = ADMIN + "incidents/incident/"
POSTMORTEM = "## What happened\nA bad deploy. <script>alert('pm')</script>"


@pytest.fixture
def resolved(components) -> Incident:
    incident = services.open_incident(
        name="Chat outage", impact="major", body="Investigating.",
        component_statuses={components["chat"]: "major_outage"},
    )  # fmt: skip
    services.post_update(incident, status="resolved", body="Fixed.",
                         component_statuses={components["chat"]: "operational"})  # fmt: skip
    return incident


def public(client, path: str) -> str:
    return client.get(path).content.decode()


def test_a_saved_draft_is_never_shown_to_readers(operator_client, client, resolved):
    operator_client.post(
        f"{INCIDENTS}{resolved.pk}/postmortem/", {"body": "Draft: secret root cause", "_save": "1"}
    )

    resolved.refresh_from_db()
    assert (
        resolved.postmortem_draft == "Draft: secret root cause" and resolved.postmortem_published_at is None
    )
    assert "secret root cause" not in public(client, f"/incidents/{resolved.public_id}")
    assert "secret root cause" not in public(client, "/api/v2/incidents.json")
    page = operator_client.get(f"{INCIDENTS}{resolved.pk}/postmortem/").content.decode()
    assert "Draft: secret root cause" in page  # the operator picks up where they left off


def test_preview_renders_the_postmortem_sanitised_and_saves_nothing(operator_client, resolved):
    page = operator_client.post(
        f"{INCIDENTS}{resolved.pk}/postmortem/", {"body": POSTMORTEM, "notify": "on", "_preview": "1"}
    ).content.decode()

    assert "<h4>What happened</h4>" in page
    assert "<script>alert('pm')" not in page
    resolved.refresh_from_db()
    assert resolved.postmortem_body == "" and resolved.postmortem_draft == ""


def test_publishing_puts_it_on_the_page_the_api_the_feeds_and_tells_subscribers(
    operator_client, client, resolved, make_subscriber, django_capture_on_commit_callbacks
):
    make_subscriber()
    with django_capture_on_commit_callbacks(execute=True):  # the page version moves on commit
        response = operator_client.post(
            f"{INCIDENTS}{resolved.pk}/postmortem/", {"body": POSTMORTEM, "notify": "on", "_publish": "1"}
        )

    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == "postmortem" and resolved.postmortem_published_at is not None
    update = resolved.updates.latest("id")
    assert update.status == "postmortem" and Delivery.objects.filter(update=update).count() == 1
    assert "A bad deploy." in public(client, f"/incidents/{resolved.public_id}")
    api = client.get("/api/v2/incidents.json").json()["incidents"][0]
    assert api["status"] == "postmortem" and api["incident_updates"][0]["body"] == POSTMORTEM
    assert "A bad deploy." in public(client, "/history.atom")


def test_publishing_again_edits_it_and_notifies_only_if_asked(operator_client, resolved, make_subscriber):
    make_subscriber()
    url = f"{INCIDENTS}{resolved.pk}/postmortem/"
    operator_client.post(url, {"body": "First take.", "_publish": "1"})
    first = resolved.updates.latest("id")

    operator_client.post(url, {"body": "Second take.", "_publish": "1"})

    first.refresh_from_db()
    assert first.body == "Second take." and first.revisions.get().body == "First take."
    assert resolved.updates.filter(status="postmortem").count() == 1
    assert not Delivery.objects.filter(update__status="postmortem").exists()


def test_an_open_incident_gets_no_postmortem_yet(operator_client, components):
    incident = services.open_incident(name="Ongoing", impact="minor", body="x",
                                      component_statuses={components["chat"]: "partial_outage"})  # fmt: skip
    response = operator_client.post(
        f"{INCIDENTS}{incident.pk}/postmortem/", {"body": "Too early.", "_publish": "1"}
    )

    assert response.status_code == 200
    assert "published once the incident is resolved" in response.content.decode()
    incident.refresh_from_db()
    assert incident.postmortem_published_at is None


def maintenance_form(chosen, **fields) -> dict:
    starts = timezone.now() + timedelta(days=2)
    data = {
        "name": "Database upgrade",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "components": [c.pk for c in chosen],
        "body": "We upgrade the database; chat may pause for a minute.",
        "remind_hours": "24",
        "notify": "on",
        "request_key": "m1",
    }
    return {k: v for k, v in {**data, **fields}.items() if v is not None}


def test_an_operator_schedules_maintenance_with_window_components_and_message(
    operator_client, components, make_subscriber
):
    make_subscriber()
    chat, embeddings = components["chat"], components["embeddings"]
    response = operator_client.post(INCIDENTS + "schedule-maintenance/", maintenance_form([chat, embeddings]))

    window = Incident.objects.get()
    assert response.status_code == 302
    assert (window.kind, window.status, window.impact) == ("maintenance", "scheduled", "maintenance")
    assert set(window.components.all()) == {chat, embeddings}
    assert window.scheduled_until - window.scheduled_for == timedelta(hours=2)
    assert window.remind_at == window.scheduled_for - timedelta(hours=24)
    assert Delivery.objects.count() == 1
    chat.refresh_from_db()
    assert chat.status == "operational"  # until the window starts


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"ends_at": "2020-01-01T00:00"}, "must end after it starts"),
        ({"starts_at": "2020-01-01T00:00", "ends_at": "2020-01-01T02:00"}, "must start in the future"),
        ({"remind_hours": "100"}, "reminder would fall in the past"),
        ({"starts_at": "tomorrow"}, "Enter a valid date/time."),
        ({"components": None}, "This field is required."),
    ],
)
def test_a_bad_window_is_refused_with_a_message(operator_client, components, fields, error):
    response = operator_client.post(
        INCIDENTS + "schedule-maintenance/", maintenance_form([components["chat"]], **fields)
    )

    assert response.status_code == 200 and error in response.content.decode()
    assert not Incident.objects.exists()


def test_the_reminder_goes_out_once_before_the_window(components, make_subscriber):
    make_subscriber()
    starts = timezone.now() + timedelta(hours=3)
    window = maintenance.schedule(
        name="Upgrade", body="Upgrade.", components=[components["chat"]], starts_at=starts,
        ends_at=starts + timedelta(hours=1), remind_at=starts - timedelta(hours=1), notify=False,
    )  # fmt: skip

    assert reminders.send_due(starts - timedelta(hours=2)) == []  # not yet
    sent = reminders.send_due(starts - timedelta(minutes=50))
    assert reminders.send_due(starts - timedelta(minutes=40)) == []  # a second run sends nothing more

    assert [u.body for u in sent] == [reminders.text(window)]
    assert sent[0].body.startswith("Reminder: this maintenance starts at")
    assert Delivery.objects.filter(update=sent[0]).count() == 1


def test_a_reminder_missed_until_the_start_is_dropped(components):
    starts = timezone.now() + timedelta(hours=3)
    window = maintenance.schedule(
        name="Upgrade", body="Upgrade.", components=[components["chat"]], starts_at=starts,
        ends_at=starts + timedelta(hours=1), remind_at=starts - timedelta(hours=1),
    )  # fmt: skip

    assert reminders.send_due(starts + timedelta(minutes=1)) == []
    window.refresh_from_db()
    assert window.reminded_at is not None and window.updates.count() == 1
