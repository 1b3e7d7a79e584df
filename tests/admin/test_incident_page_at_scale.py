"""The incident page reads deliveries in a fixed number of queries, and still shows every figure at scale."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuspage.incidents import services
from statuspage.incidents.delivery_overview import DEAD_SHOWN
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident
from statuspage.subscriptions.models import Delivery, Subscriber
from tests.admin.conftest import ADMIN

INCIDENTS = ADMIN + "incidents/incident/"
UPDATES = 3


@pytest.fixture
def quiet_incident(db, components) -> Incident:
    """Three updates posted while nobody subscribed: their deliveries are added by each test."""
    incident = services.open_incident(
        IncidentDraft(
            name="Outage",
            impact="major",
            body="Looking.",
            component_statuses={components["chat"]: "major_outage"},
        )
    )
    for n in range(UPDATES - 1):
        services.post_update(incident, UpdateDraft(status="identified", body=f"Update {n}."))
    return incident


def state_of(n: int) -> str:
    return "dead" if n % 4 == 0 else "pending" if n % 10 == 1 else "sent"


def deliver(incident: Incident, *, first: int, count: int) -> None:
    """`count` more subscribers per update: a webhook every fifth, one in ten pending, one in four dead."""
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            kind="webhook" if i % 5 == 0 else "email",
            email=f"reader{i}@example.com",
            webhook_url=f"https://hooks.example.com/{i}" if i % 5 == 0 else "",
            confirmed_at=now,
        )
        for i in range(first, first + count)
    )
    Delivery.objects.bulk_create(
        Delivery(
            channel=subscriber.kind,
            purpose=Delivery.Purpose.UPDATE,
            update=update,
            subscriber=subscriber,
            state=state_of(i),
            last_error="recipient refused: 550 5.1.1 no such user" if state_of(i) == "dead" else "",
        )
        for update in incident.updates.all()
        for i, subscriber in enumerate(subscribers, start=first)
    )


def page_queries(client, incident: Incident) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{INCIDENTS}{incident.pk}/change/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_hundreds_of_deliveries_cost_no_more_queries_than_one(operator_client, quiet_incident):
    _, none = page_queries(operator_client, quiet_incident)
    deliver(quiet_incident, first=0, count=1)  # one delivery per update, dead
    page, one = page_queries(operator_client, quiet_incident)
    assert page.count("Retry 1 failed delivery") == UPDATES

    deliver(quiet_incident, first=1, count=399)
    page, many = page_queries(operator_client, quiet_incident)

    assert many == one <= none + 1  # one query for the dead rows of every update
    states = Counter(state_of(i) for i in range(400))
    sent, pending, dead = states["sent"], states["pending"], states["dead"]
    figures = (
        f"<strong>{sent}</strong> notified · <strong>{pending}</strong> pending · <strong>{dead}</strong>"
    )
    assert page.count(f"{figures} failed") == UPDATES
    assert page.count("(Email 320, Webhook 80)") == UPDATES
    assert page.count(f"Retry {dead} failed deliveries") == UPDATES
    assert page.count("550 5.1.1 no such user") == UPDATES * DEAD_SHOWN


def test_the_failed_list_shows_the_newest_of_each_update_with_their_address(operator_client, quiet_incident):
    deliver(quiet_incident, first=0, count=200)
    page, _ = page_queries(operator_client, quiet_incident)

    newest_dead = [i for i in range(200) if i % 4 == 0][-DEAD_SHOWN:]
    for i in newest_dead:
        address = f"https://hooks.example.com/{i}" if i % 5 == 0 else f"reader{i}@example.com"
        assert page.count(f"<td>{address}</td>") == UPDATES
    assert "<td>reader4@example.com</td>" not in page  # an older one, one click away in the deliveries list
