"""Opening an incident and posting updates in one form: components, notify, preview, templates, once."""

from __future__ import annotations

import re
import uuid

import pytest

from statuspage.incidents.models import Incident, IncidentUpdate, UpdateTemplate
from statuspage.subscriptions.models import Delivery
from tests.admin.conftest import ADMIN

OPEN = ADMIN + "incidents/incident/open/"


def form(statuses: dict | None = None, **fields) -> dict:
    data = {
        "name": "Elevated errors on chat",
        "impact": "major",
        "status": "investigating",
        "body": "We are investigating **elevated** error rates.",
        "notify": "on",
        "request_key": uuid.uuid4().hex,
        "_post": "1",
    }
    data.update({f"component_{c.pk}": status for c, status in (statuses or {}).items()})
    return {k: v for k, v in {**data, **fields}.items() if v is not None}


def update_url(incident: Incident) -> str:
    return f"{ADMIN}incidents/incident/{incident.pk}/post-update/"


def test_an_operator_opens_an_incident_with_two_components_in_one_form(operator_client, components):
    chat, embeddings = components["chat"], components["embeddings"]
    response = operator_client.post(OPEN, form({chat: "major_outage", embeddings: "degraded_performance"}))

    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/incident/{incident.pk}/change/")
    assert (incident.status, incident.impact, incident.published) == ("investigating", "major", True)
    assert set(incident.components.all()) == {chat, embeddings}
    chat.refresh_from_db(), embeddings.refresh_from_db()
    assert (chat.status, embeddings.status) == ("major_outage", "degraded_performance")
    update = incident.updates.get()
    assert update.author.username == "olga"
    assert {(a["name"], a["old_status"], a["new_status"]) for a in update.affected_components} == {
        ("Chat completions", "operational", "major_outage"),
        ("Embeddings", "operational", "degraded_performance"),
    }


def test_subscribers_of_the_affected_components_get_one_delivery_each(
    operator_client, components, make_subscriber
):
    everyone, chat_only = make_subscriber(), make_subscriber(components=[components["chat"]])
    make_subscriber(components=[components["website"]])  # not concerned

    operator_client.post(OPEN, form({components["chat"]: "partial_outage"}))

    update = IncidentUpdate.objects.get()
    assert set(Delivery.objects.filter(update=update).values_list("subscriber", flat=True)) == {
        everyone.pk,
        chat_only.pk,
    }


def test_with_notify_off_nobody_is_sent_anything(operator_client, components, make_subscriber):
    make_subscriber()
    operator_client.post(OPEN, form({components["chat"]: "partial_outage"}, notify=None))

    assert IncidentUpdate.objects.get().deliver_notifications is False
    assert not Delivery.objects.exists()


def test_a_form_submitted_twice_posts_and_notifies_once(operator_client, components, make_subscriber):
    make_subscriber()
    data = form({components["chat"]: "partial_outage"})

    first = operator_client.post(OPEN, data)
    second = operator_client.post(OPEN, data, follow=True)

    assert Incident.objects.count() == 1 and Delivery.objects.count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already submitted" in second.content.decode()


def test_preview_shows_what_readers_and_subscribers_get_and_saves_nothing(
    operator_client, components, make_subscriber
):
    make_subscriber(), make_subscriber(components=[components["website"]])
    data = form({components["chat"]: "major_outage"}, _post=None, _preview="1")

    page = operator_client.post(OPEN, data).content.decode()

    assert not Incident.objects.exists() and not Delivery.objects.exists()
    assert "We are investigating <strong>elevated</strong> error rates." in page  # Markdown, rendered
    assert "[AI Status] Elevated errors on chat: Investigating" in page  # the email's subject
    assert "<strong>1</strong> confirmed subscriber." in page  # the website subscriber is not concerned
    assert "Chat completions: Operational → Major outage" in page
    assert 'name="request_key" value="' + data["request_key"] in page  # posting after it still acts once


def test_bad_input_is_refused_with_a_message_never_a_500(operator_client, components):
    chat = components["chat"]
    cases = [
        form({chat: "on_fire"}),
        form(body=""),
        form(name=""),
        form(status="postmortem"),
        form(impact="catastrophic"),
        form(name="x" * 301),
        form(name="Errors\x0bon chat"),  # control characters pasted with the text would break the feeds
        form(body="Investigating\x1b[31m"),
    ]
    for data in cases:
        response = operator_client.post(OPEN, data)
        assert response.status_code == 200, data
        assert "Please correct the errors below." in response.content.decode()
    assert not Incident.objects.exists()


def test_posting_identified_then_resolved_moves_the_incident_and_its_components(operator_client, components):
    chat, embeddings = components["chat"], components["embeddings"]
    operator_client.post(OPEN, form({chat: "major_outage", embeddings: "partial_outage"}))
    incident = Incident.objects.get()

    operator_client.post(update_url(incident), form(status="identified", body="A bad deploy.", name=None))
    incident.refresh_from_db()
    assert incident.status == "identified"
    assert incident.updates.latest("id").affected_components == []  # components unchanged, so none named

    resolve = form(
        {chat: "operational", embeddings: "operational"}, status="resolved", body="Fixed.", name=None
    )
    operator_client.post(update_url(incident), resolve)
    incident.refresh_from_db(), chat.refresh_from_db(), embeddings.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert (chat.status, embeddings.status) == ("operational", "operational")
    assert [u.status for u in incident.updates.order_by("id")] == ["investigating", "identified", "resolved"]


def test_an_update_can_bring_in_another_component(operator_client, components):
    operator_client.post(OPEN, form({components["chat"]: "major_outage"}))
    incident = Incident.objects.get()

    data = form({components["website"]: "degraded_performance"}, status="identified", name=None)
    operator_client.post(update_url(incident), data)

    assert set(incident.components.all()) == {components["chat"], components["website"]}


def test_a_template_fills_the_message_and_status_without_script(operator_client, components):
    template = UpdateTemplate.objects.create(
        name="Upstream", status="identified", body="The cause is upstream at the provider."
    )
    operator_client.post(OPEN, form({components["chat"]: "partial_outage"}))
    incident = Incident.objects.get()

    data = form(status="investigating", body="", template=template.pk, name=None)
    operator_client.post(update_url(incident), data)

    latest = incident.updates.latest("id")
    assert (latest.status, latest.body) == ("identified", "The cause is upstream at the provider.")


def test_the_form_page_lists_components_by_group_with_templates(operator_client, components):
    UpdateTemplate.objects.create(name="Investigating", body="We are looking into it.")
    page = operator_client.get(OPEN).content.decode()

    assert "<caption>OpenAI</caption>" in page and "<caption>Other components</caption>" in page
    assert f'name="component_{components["chat"].pk}"' in page
    assert "We are looking into it." in page  # the templates' texts, for the script that fills them in
    assert " checked" in re.search(r'<input type="checkbox" name="notify"[^>]*>', page)[0]  # on by default


@pytest.mark.parametrize("kind", ["incident", "maintenance"])
def test_post_update_offers_the_statuses_of_the_kind(operator_client, kind):
    incident = Incident.objects.create(name="x", kind=kind, status="investigating")
    page = operator_client.get(update_url(incident)).content.decode()

    assert ('value="identified"' in page) is (kind == "incident")
    assert ('value="in_progress"' in page) is (kind == "maintenance")
