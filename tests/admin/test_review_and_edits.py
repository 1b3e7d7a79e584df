"""Automatic incidents awaiting approval; edits that keep what was sent; the operator activity trail."""

from __future__ import annotations

import pytest

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident, IncidentUpdate, UpdateRevision
from statuspage.subscriptions.models import Delivery
from tests.admin.conftest import ADMIN

INCIDENTS = ADMIN + "incidents/incident/"


@pytest.fixture
def held(components) -> Incident:
    """What automation opens when approval is required: not published, nothing sent."""
    return services.open_incident(
        IncidentDraft(
            name="Chat failing (automatic)",
            impact="minor",
            body="Our probes see errors on chat.",
            component_statuses={components["chat"]: "partial_outage"},
            automatic=True,
            published=False,
        )
    )


@pytest.fixture
def live(components) -> Incident:
    return services.open_incident(
        IncidentDraft(
            name="Embeddings slow",
            impact="minor",
            body="We are lookin into it.",
            component_statuses={components["embeddings"]: "degraded_performance"},
        )
    )


def test_incidents_awaiting_approval_are_listed_first_with_their_actions(operator_client, held, live):
    page = operator_client.get(INCIDENTS).content.decode()

    panel = page[page.index("awaiting approval (1)") : page.index("</section>")]
    assert "Chat failing (automatic)" in panel and "Embeddings slow" not in panel
    for action in ("approve", "discard"):
        assert f'action="{INCIDENTS}{held.pk}/{action}/"' in panel
    assert f'href="{INCIDENTS}{held.pk}/change/"' in panel  # edit
    rows = page[page.index('id="result_list"') :]
    assert rows.index("Chat failing (automatic)") < rows.index(
        "Embeddings slow"
    )  # held first in the list too


def test_approving_publishes_and_notifies_once(operator_client, held, make_subscriber):
    make_subscriber()
    assert not Delivery.objects.exists()

    operator_client.post(f"{INCIDENTS}{held.pk}/approve/")
    operator_client.post(f"{INCIDENTS}{held.pk}/approve/")  # a second click

    held.refresh_from_db()
    assert held.published and Delivery.objects.count() == 1


def test_discarding_closes_without_showing_or_sending(operator_client, held, make_subscriber):
    make_subscriber()
    operator_client.post(f"{INCIDENTS}{held.pk}/discard/")

    held.refresh_from_db()
    assert (held.published, held.status) == (False, "resolved")
    assert not Delivery.objects.exists()
    assert "awaiting approval" not in operator_client.get(INCIDENTS).content.decode()


def test_approve_and_discard_are_post_only(operator_client, held):
    assert operator_client.get(f"{INCIDENTS}{held.pk}/approve/").status_code == 405
    held.refresh_from_db()
    assert not held.published


def test_an_edit_keeps_the_text_that_was_sent_and_notifies_nobody(operator_client, live, make_subscriber):
    make_subscriber()
    services.post_update(live, UpdateDraft(status="identified", body="Cause found."))  # one more, sent
    update = live.updates.earliest("id")
    sent_before = Delivery.objects.count()

    url = f"{INCIDENTS}{live.pk}/updates/{update.pk}/edit/"
    response = operator_client.post(url, {"body": "We are looking into it."})

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.body == "We are looking into it."
    revision = UpdateRevision.objects.get()
    assert (revision.body, revision.edited_by.username, revision.notified) == (
        "We are lookin into it.", "olga", False,
    )  # fmt: skip
    assert Delivery.objects.count() == sent_before
    change = operator_client.get(f"{INCIDENTS}{live.pk}/change/").content.decode()
    assert "We are lookin into it." in change and "Edited 1 time" in change


def test_an_edit_sent_on_request_goes_out_as_a_correction(operator_client, components, make_subscriber):
    make_subscriber()
    chat = {components["chat"]: "degraded_performance"}
    live = services.open_incident(
        IncidentDraft(name="Slow", impact="minor", body="We are lookin into it.", component_statuses=chat)
    )
    update = live.updates.get()

    url = f"{INCIDENTS}{live.pk}/updates/{update.pk}/edit/"
    operator_client.post(url, {"body": "We are looking into it.", "notify": "on"})

    correction = live.updates.latest("id")
    assert correction.pk != update.pk and correction.body.startswith("Correction to the update of")
    assert correction.body.endswith("We are looking into it.")
    assert Delivery.objects.filter(update=correction).count() == 1
    assert Delivery.objects.filter(update=update).count() == 1  # the original was not sent again


def test_an_unchanged_edit_records_nothing(operator_client, live):
    update = live.updates.get()
    operator_client.post(f"{INCIDENTS}{live.pk}/updates/{update.pk}/edit/", {"body": update.body})
    assert not UpdateRevision.objects.exists()


def test_every_operator_action_is_shown_with_who_and_when(operator_client, components, held):
    operator_client.post(
        INCIDENTS + "open/",
        {"name": "Website down", "impact": "major", "status": "investigating", "body": "Looking.",
         "request_key": "k1", f"component_{components['website'].pk}": "major_outage", "_post": "1"},
    )  # fmt: skip
    opened = Incident.objects.get(name="Website down")
    operator_client.post(
        f"{INCIDENTS}{opened.pk}/post-update/",
        {"status": "resolved", "body": "Back.", "request_key": "k2", "_post": "1"},
    )
    operator_client.post(f"{INCIDENTS}{held.pk}/approve/")

    page = operator_client.get(f"{INCIDENTS}{opened.pk}/change/").content.decode()
    activity = page[page.index("Operator activity") :]
    assert activity.count("<td>olga</td>") == 2
    assert "Opened: Investigating, no notification." in activity
    assert "Posted an update: Resolved, no notification." in activity
    held_page = operator_client.get(f"{INCIDENTS}{held.pk}/change/").content.decode()
    assert "Approved and published; subscribers notified." in held_page


def test_a_hand_made_update_cannot_bypass_the_services(superuser_client, live):
    """The change form edits the title and impact only; updates come from the operator's forms."""
    superuser_client.post(
        f"{INCIDENTS}{live.pk}/change/",
        {"name": "Embeddings slow in EU", "impact": "major", "status": "resolved", "published": ""},
    )
    live.refresh_from_db()
    assert (live.name, live.impact, live.status, live.published) == ("Embeddings slow in EU", "major",
                                                                     "investigating", True)  # fmt: skip
    assert IncidentUpdate.objects.filter(incident=live).count() == 1
    assert superuser_client.get(INCIDENTS + "add/")["Location"].endswith("/incident/open/")
