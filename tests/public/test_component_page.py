"""The component page: charts with axes, units, legend and per-step values, from the first probe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft

pytestmark = pytest.mark.django_db


def probe(monitor, at, outcome=Outcome.OK, region="default", **measured):
    if outcome == Outcome.OK:
        measured = {"ttft_ms": 320.0, "total_ms": 1200.0, "tokens_per_s": 55.0, **measured}
    record([Observation(monitor_id=monitor.pk, outcome=outcome, started_at=at, region=region, **measured)])


@pytest.fixture
def chat(make_component, make_monitor):
    return make_component("Chat", monitors=[make_monitor()])


def get(client, component, **params) -> str:
    response = client.get(f"/components/{component.public_id}", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_component_says_since_when_it_collects_never_nothing(client, chat):
    html = get(client, chat)
    assert "No probe results in the last 24 hours yet: collecting since" in html
    assert "<svg viewBox" not in html


def test_the_first_probe_draws_every_chart_with_its_values(client, chat):
    probe(chat.monitors.get(), timezone.now() - timedelta(minutes=1))
    html = get(client, chat)
    for title in ("Time to first token", "Total latency", "Tokens per second (p50)", "Success rate"):
        assert f"<h3>{title}</h3>" in html
    assert "Outcomes by kind" in html and "Our probes beside the provider" in html
    assert 'class="col" tabindex="0"' in html  # each step can be focused to read its values
    assert "p50: 3" in html and "tok/s" in html and " ms<" in html  # values with units
    assert 'class="grid"' in html and 'class="legend"' in html


def test_each_range_is_a_link_and_the_chosen_one_is_marked(client, chat):
    probe(chat.monitors.get(), timezone.now() - timedelta(minutes=1))
    html = get(client, chat, range="7d")
    assert '<a href="?range=7d" aria-current="page">7 days</a>' in html
    assert '<a href="?range=1h">1 hour</a>' in html and "Last 7 days" in html


def test_the_error_mix_is_said_in_words(client, chat):
    monitor = chat.monitors.get()
    now = timezone.now()
    for n in range(4):
        probe(monitor, now - timedelta(minutes=n + 1), Outcome.TIMEOUT_TTFT)
    probe(monitor, now - timedelta(minutes=6), Outcome.OVERLOADED, http_status=503)
    html = get(client, chat, range="1h")
    assert "80% time out before the first token, 20% overloaded" in html


def test_incidents_are_shaded_on_the_time_axis(client, chat):
    probe(chat.monitors.get(), timezone.now() - timedelta(minutes=1))
    services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat",
            impact="major",
            body="Looking.",
            component_statuses={chat: "partial_outage"},
        ),
        now=timezone.now() - timedelta(hours=2),
    )
    html = get(client, chat)
    assert '<rect class="shade incident"' in html and "<title>Elevated errors on Chat</title>" in html


def test_several_regions_get_a_line_each(client, make_component, make_monitor):
    monitor = make_monitor(regions=["eu", "us"])
    component = make_component("Chat", monitors=[monitor])
    probe(monitor, timezone.now() - timedelta(minutes=1), region="eu")
    probe(monitor, timezone.now() - timedelta(minutes=1), region="us", ttft_ms=900.0)
    html = get(client, component)
    assert "eu p50" in html and "us p50" in html


def test_an_unknown_range_is_a_400_and_an_unknown_component_a_404(client, chat):
    assert client.get(f"/components/{chat.public_id}", {"range": "1y"}).status_code == 400
    assert client.get("/components/nosuchthing1").status_code == 404
