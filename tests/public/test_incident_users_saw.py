"""Incident pages say what users saw: outcomes by kind, TTFT before and during, regions, first failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import ProbeResult
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.lib import pageversion

pytestmark = pytest.mark.django_db


@pytest.fixture
def outage(make_component, make_monitor):
    monitor = make_monitor(name="chat (stream)", regions=["eu", "us"], status="down")
    chat = make_component("Chat", monitors=[monitor])
    now = timezone.now()
    started = now - timedelta(minutes=30)
    rows = []
    for n in range(3, 60):  # a probe a minute per region for the hour before, then the outage
        at = started - timedelta(minutes=n)
        for region in ("eu", "us"):
            rows.append(
                ProbeResult(monitor=monitor, started_at=at, region=region, outcome="ok", ttft_ms=300.0)
            )
    for n in range(0, 20):
        at = started - timedelta(minutes=2) + timedelta(minutes=n)
        eu = "timeout_ttft" if n % 5 else "overloaded"
        rows.append(ProbeResult(monitor=monitor, started_at=at, region="eu", outcome=eu,
                                http_status=None if n % 5 else 503))  # fmt: skip
        rows.append(ProbeResult(monitor=monitor, started_at=at, region="us", outcome="ok", ttft_ms=900.0))
    ProbeResult.objects.bulk_create(rows)
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat",
            impact="major",
            body="Investigating.",
            automatic=True,
            component_statuses={chat: "partial_outage"},
            detection={
                "method": "probes",
                "monitors": [
                    {"id": monitor.pk, "name": monitor.name, "status": "down", "since": started.isoformat()}
                ],
            },
        ),
        now=started,
    )
    return incident, monitor


def page(client, incident) -> str:
    response = client.get(f"/incidents/{incident.public_id}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_outcome_mix_regions_and_ttft_before_and_during(client, outage):
    incident, _ = outage
    html = page(client, incident)
    assert '<h2 id="h-users">What users saw</h2>' in html
    # 18 probes in eu failed (of 36 during the incident, half in each region): 15 timeouts, 3 overloaded.
    assert "42% time out before the first token, 8% overloaded, 50% succeed" in html
    assert "eu (100% failed)" in html and "us (" not in html
    assert "in the hour before" in html and "during" in html
    assert "First failing probe" in html and "chat (stream) in eu: overloaded 503, at" in html


def test_the_monitors_line_shows_their_state_now(client, outage):
    incident, monitor = outage
    assert "chat (stream): down since" in page(client, incident)
    monitor.status = "up"
    monitor.save()
    pageversion.bump()  # what the monitor's change does on commit
    assert "chat (stream): up now; down from" in page(client, incident)


def test_affected_components_link_to_their_pages(client, outage):
    incident, _ = outage
    component = incident.components.get()
    assert f'<a href="/components/{component.public_id}">Chat</a>' in page(client, incident)
