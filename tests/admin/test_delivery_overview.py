"""Per update: how many subscribers were notified, pending, failed; dead deliveries and their retry."""

from __future__ import annotations

import pytest

from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident
from statuspage.subscriptions import delivery
from statuspage.subscriptions.models import Delivery
from tests.admin.conftest import ADMIN

INCIDENTS = ADMIN + "incidents/incident/"


@pytest.fixture
def sent_once(smtp, components, make_subscriber) -> Incident:
    """Three subscribers: one gets the email, one address bounces for good, one is refused for now."""
    for address in ("ok@example.com", "gone@example.com", "busy@example.com"):
        make_subscriber(address)
    smtp.mailbox.refuse["gone@example.com"] = "550 5.1.1 no such user"
    smtp.mailbox.refuse["busy@example.com"] = "451 4.3.0 try again later"
    incident = services.open_incident(
        IncidentDraft(
            name="Outage",
            impact="major",
            body="Looking.",
            component_statuses={components["chat"]: "major_outage"},
        )
    )
    delivery.send_due("email", budget_s=10)
    return incident


def test_each_update_shows_notified_pending_and_failed(operator_client, sent_once):
    services.post_update(sent_once, UpdateDraft(status="identified", body="Found it."), notify=False)
    page = operator_client.get(f"{INCIDENTS}{sent_once.pk}/change/").content.decode()

    assert "<strong>1</strong> notified · <strong>1</strong> pending · <strong>1</strong> failed" in page
    assert "Not sent to subscribers (notify was off)." in page


def test_dead_deliveries_show_their_error_and_can_be_retried(operator_client, sent_once, smtp):
    update = sent_once.updates.get()
    page = operator_client.get(f"{INCIDENTS}{sent_once.pk}/change/").content.decode()
    assert "gone@example.com" in page and "550 5.1.1 no such user" in page

    del smtp.mailbox.refuse["gone@example.com"]
    response = operator_client.post(f"{INCIDENTS}{sent_once.pk}/updates/{update.pk}/retry/", follow=True)

    assert "1 deliveries queued again" in response.content.decode()
    dead = Delivery.objects.get(subscriber__email="gone@example.com")
    assert (dead.state, dead.attempts) == ("pending", 0)
    delivery.send_due("email", budget_s=10)
    assert len(smtp.mailbox.to("gone@example.com")) == 1
    assert (
        "Retried 1 dead deliveries"
        in operator_client.get(f"{INCIDENTS}{sent_once.pk}/change/").content.decode()
    )


def test_retry_concerns_only_that_incident(operator_client, sent_once, components):
    website = {components["website"]: "degraded_performance"}
    other = services.open_incident(
        IncidentDraft(name="Other", impact="minor", body="x", component_statuses=website)
    )
    update = sent_once.updates.get()
    response = operator_client.post(f"{INCIDENTS}{other.pk}/updates/{update.pk}/retry/")
    assert response.status_code == 302
    assert Delivery.objects.get(update=update, subscriber__email="gone@example.com").state == "dead"
