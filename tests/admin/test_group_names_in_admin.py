"""In the admin, a component named outside its group's block carries its group ("OpenAI · Chat
completions"): maintenance checkboxes, the incident's components and timeline, the preview, subscribers
and deliveries. And the preview's subject is the title as typed, escaped once by the page."""

from __future__ import annotations

import re
import uuid
from html import unescape

from django.utils import timezone

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.subscriptions.models import Delivery, Subscriber
from tests.admin.conftest import ADMIN

INCIDENTS = ADMIN + "incidents/incident/"
LABEL = re.compile(r'<label for="id_components_\d+"><input [^>]*>\s*([^<]*?)</label>')


def test_maintenance_checkboxes_name_the_group(operator_client, components):
    html = operator_client.get(INCIDENTS + "schedule-maintenance/").content.decode()

    assert LABEL.findall(html) == ["OpenAI · Chat completions", "OpenAI · Embeddings", "Website"]


def test_the_incident_form_lists_components_and_changes_with_their_group(operator_client, components):
    incident = services.open_incident(
        IncidentDraft(
            name="Errors",
            impact="major",
            body="Looking.",
            component_statuses={components["chat"]: "partial_outage", components["website"]: "major_outage"},
        )
    )

    html = operator_client.get(f"{INCIDENTS}{incident.pk}/change/").content.decode()

    assert '<div class="readonly">OpenAI · Chat completions, Website</div>' in html
    assert "<li>OpenAI · Chat completions: Operational → Partial outage</li>" in html
    assert "<li>Website: Operational → Major outage</li>" in html


def test_the_preview_names_the_group_and_shows_the_subject_as_typed(operator_client, components):
    incident = services.open_incident(
        IncidentDraft(
            name='Errors on <b>chat</b> & "stuff"',
            impact="major",
            body="Looking.",
            component_statuses={components["website"]: "major_outage"},
        )
    )
    data = {
        "status": "identified", "body": "Found it.", "notify": "on", "request_key": uuid.uuid4().hex,
        f"component_{components['chat'].pk}": "partial_outage", "_preview": "1",
    }  # fmt: skip

    html = operator_client.post(f"{INCIDENTS}{incident.pk}/post-update/", data).content.decode()

    subject = re.search(r'<strong class="subject">(.*?)</strong>', html)[1]
    assert unescape(subject) == '[AI Status] Errors on <b>chat</b> & "stuff": Identified'  # escaped once
    assert "<li>OpenAI · Chat completions: Operational → Partial outage</li>" in html
    email = unescape(re.search(r'srcdoc="([^"]*)"', html)[1])
    assert "<li>OpenAI · Chat completions: Partial outage</li>" in email


def test_a_preview_changing_no_component_lists_the_incidents_components_as_the_email_will(
    operator_client, components
):
    chat = components["chat"]
    incident = services.open_incident(
        IncidentDraft(
            name="Errors", impact="major", body="Looking.", component_statuses={chat: "major_outage"}
        )
    )
    data = {
        "status": "identified", "body": "Found it.", "notify": "on", "request_key": uuid.uuid4().hex,
        "_preview": "1",
    }  # fmt: skip

    html = operator_client.post(f"{INCIDENTS}{incident.pk}/post-update/", data).content.decode()

    email = unescape(re.search(r'srcdoc="([^"]*)"', html)[1])
    assert "<li>OpenAI · Chat completions: Major outage</li>" in email


def test_a_subscribers_components_are_named_with_their_group(superuser_client, components, make_subscriber):
    subscriber = make_subscriber(components=[components["chat"]])

    html = superuser_client.get(f"{ADMIN}subscriptions/subscriber/{subscriber.pk}/change/").content.decode()

    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert sorted(options) == ["OpenAI · Chat completions", "OpenAI · Embeddings", "Website"]


def test_a_component_delivery_names_the_group(superuser_client, components):
    Subscriber.objects.create(
        kind="webhook", webhook_url="https://hooks.example/status", all_components=True,
        confirmed_at=timezone.now(),
    )  # fmt: skip
    components["chat"].set_status("major_outage", timezone.now(), source="monitors")
    assert Delivery.objects.filter(purpose="component").exists()

    html = superuser_client.get(f"{ADMIN}subscriptions/delivery/?purpose__exact=component").content.decode()

    assert "OpenAI · Chat completions: Operational → Major outage" in html
