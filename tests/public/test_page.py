"""The status page: banner, groups, components with words and icons, incidents and maintenance."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitors.models import ProbeResult
from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.incidents.models import Incident, IncidentUpdate
from statuspage.lib import pageversion


@pytest.fixture
def group(make_component):
    group = ComponentGroup.objects.create(name="Anthropic", position=1, collapsed=True)
    make_component("Messages", group=group, position=1)
    make_component("Batches", group=group, position=2)
    return group


def page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def test_all_operational_page_says_so_in_words(client, group):
    html = page(client)
    assert "All Systems Operational" in html
    assert html.count('class="state s-operational"') >= 3  # banner, group, components: icon and text
    assert "Messages" in html and "Batches" in html


def test_the_title_reads_well_whatever_the_site_name(client, db):
    html = page(client)  # SITE_NAME is "AI Status": "AI Status status" said the word twice
    assert "<title>Current status · AI Status</title>" in html and "status status" not in html.lower()


def test_a_collapsed_group_opens_while_a_component_is_not_operational(client, group, make_component):
    assert '<details class="group" id="group-' + group.public_id + '">' in page(client)
    change_status(group.components.first(), "partial_outage")
    html = page(client)
    assert f'id="group-{group.public_id}" open' in html
    assert "Partial outage" in html and "Partial System Outage" in html


def change_status(component, status):
    component.status = status
    component.save()
    pageversion.bump()


def test_components_shown_only_when_degraded_stay_hidden_while_operational(client, make_component):
    hidden = make_component("Fine-tuning", only_show_if_degraded=True)
    assert "Fine-tuning" not in page(client)
    change_status(hidden, "degraded_performance")
    assert "Fine-tuning" in page(client)


def test_open_incidents_show_their_latest_update_and_link(client, group):
    messages = group.components.first()
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated 529s",
            impact="major",
            body="Overloaded errors on Messages.",
            component_statuses={messages: "partial_outage"},
        )
    )
    services.post_update(incident, UpdateDraft(status="identified", body="A capacity problem."))
    html = page(client)
    assert "Active incidents" in html and f'href="/incidents/{incident.public_id}"' in html
    assert "A capacity problem." in html and "Overloaded errors" not in html
    assert "Affects: Anthropic · Messages" in html  # the group tells one provider's from another's


def test_upcoming_and_active_maintenance_have_their_sections(client, group):
    now = timezone.now()
    for status, name in (("scheduled", "Network upgrade"), ("in_progress", "Database failover")):
        m = Incident.objects.create(
            kind="maintenance", name=name, status=status, impact="maintenance",
            scheduled_for=now + timedelta(hours=1), scheduled_until=now + timedelta(hours=3),
        )  # fmt: skip
        IncidentUpdate.objects.create(incident=m, status=status, body="Planned.")
    html = page(client)
    assert html.index("Maintenance in progress") < html.index("Database failover")
    assert html.index("Upcoming maintenance") < html.index("Network upgrade")
    assert "Service Under Maintenance" in html


def test_the_page_states_how_uptime_is_computed(client, group):
    html = page(client)
    assert "time-weighted" in html and "30% down" in html


def test_uptime_bars_show_90_days_with_text_for_remarkable_days(client, group):
    noon = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    messages = group.components.first()
    messages.created_at = noon - timedelta(days=200)
    messages.save()
    with time_machine.travel(noon, tick=False):
        incident = services.open_incident(
            IncidentDraft(
                name="Full outage",
                impact="critical",
                body="Down.",
                component_statuses={messages: "major_outage"},
            ),
            now=noon - timedelta(days=2, hours=6),
        )
        services.post_update(
            incident,
            UpdateDraft(status="resolved", body="Up.", component_statuses={messages: "operational"}),
            now=incident.started_at + timedelta(hours=6),
        )
        html = page(client)
    bar = html[html.index(f'aria-describedby="days-{messages.public_id}"') :]
    bar = bar[: bar.index("</ol>")]
    assert bar.count("<li") == 90
    assert 'data-u="75.00%"' in bar and 'data-i="Full outage"' in bar
    assert "Days with downtime or incidents: May 18: 75.00%, Full outage." in html


def test_the_page_reads_raw_results_only_where_the_rollups_lack_them(client, group, make_monitor):
    from monitors.history import aggregator

    monitor = make_monitor()
    group.components.first().monitors.set([monitor])
    ProbeResult.objects.bulk_create(
        ProbeResult(
            monitor=monitor, started_at=timezone.now() - timedelta(minutes=i), region="eu", outcome="ok"
        )
        for i in range(500)
    )
    aggregator.catch_up(timezone.now() - timedelta(minutes=3), timedelta(0))  # the feed's watermark
    with CaptureQueriesContext(connection) as queries:
        page(client)
    raw = [q["sql"] for q in queries if "monitors_proberesult" in q["sql"]]
    # The minutes past the watermark and the last 10 minutes (the current figure), never the history.
    assert raw and all('"started_at" >=' in sql and '"started_at" <' in sql for sql in raw)


def test_subscribe_slot_is_empty_until_the_subscriptions_template_exists(client, group, settings, tmp_path):
    slot = tmp_path / "subscriptions" / "_subscribe_slot.html"
    slot.parent.mkdir()
    slot.write_text('<section id="subscribe">Get updates by email</section>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert '<section id="subscribe">' in page(client)


def test_the_providers_own_claim_shows_beside_ours(client, group, provider, make_monitor):
    now = timezone.now()
    messages = group.components.first()
    messages.monitors.set([make_monitor(provider=provider)])
    upstream = make_monitor(provider=provider, kind="upstream", name="upstream", last_probe_at=now)
    ProbeResult.objects.create(
        monitor=upstream, started_at=now, region="eu", outcome="ok",
        details={"indicator": "minor", "description": "Minor Service Outage",
                 "components": {"Messages": "degraded_performance"}},
    )  # fmt: skip
    html = page(client)
    assert "Acme AI\u2019s own status page: Degraded performance" in html


def test_each_component_shows_its_current_figure_and_a_day_of_hourly_p50s(client, group, make_monitor):
    from monitors.history import histogram
    from monitors.models import HourlyRollup
    from tests.histograms import to_json

    messages = group.components.first()
    monitor = make_monitor()
    messages.monitors.set([monitor])
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for ago, ttft in ((2, 300), (1, 600)):
        HourlyRollup.objects.create(
            monitor=monitor, region="eu", hour=hour - timedelta(hours=ago), probes=10, outcomes={"ok": 10},
            ttft=to_json({histogram.bucket(ttft): 10}),
            total=to_json({histogram.bucket(ttft * 2): 10}), tps={histogram.bucket(40): 10},
        )  # fmt: skip
    ProbeResult.objects.create(
        monitor=monitor, started_at=timezone.now() - timedelta(minutes=2), region="eu", outcome="ok",
        ttft_ms=450.0, total_ms=900.0, tokens_per_s=61.0,
    )  # fmt: skip
    html = page(client)
    row = html[html.index(f'id="c-{messages.public_id}"') :]
    row = row[: row.index('class="component"')]  # up to the next component
    ttft, tps = re.search(r"TTFT <b>(\d+) ms</b> · <b>(\d+)</b> tok/s", row).groups()
    assert abs(int(ttft) - 450) <= 45 and abs(int(tps) - 61) <= 6  # within a histogram bucket
    assert row.count('<svg class="spark"') == 1 and "Time to first token p50 per hour" in row
    assert f'href="/components/{messages.public_id}"' in row


def test_a_component_in_trouble_says_what_users_hit(client, group, make_monitor):
    messages = group.components.first()
    monitor = make_monitor()
    messages.monitors.set([monitor])
    now = timezone.now()
    outcomes = ["timeout_ttft"] * 9 + ["overloaded"] * 2
    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=monitor, started_at=now - timedelta(seconds=30 * n), region="eu", outcome=o)
        for n, o in enumerate(outcomes)
    )
    change_status(messages, "major_outage")
    assert "Last 10 min: 82% time out before the first token, 18% overloaded." in page(client)


def test_failures_show_before_the_status_confirms_them(client, group, make_monitor):
    messages = group.components.first()
    monitor = make_monitor()
    messages.monitors.set([monitor])
    now = timezone.now()
    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=monitor, started_at=now - timedelta(seconds=30 * n), region="eu", outcome=o)
        for n, o in enumerate(["server_error", "server_error", "ok", "ok"])
    )
    assert '<p class="mix-now early">Last 10 min: 50% server error (5xx), 50% succeed.</p>' in page(client)


def test_a_single_failure_is_not_news(client, group, make_monitor):
    messages = group.components.first()
    monitor = make_monitor()
    messages.monitors.set([monitor])
    ProbeResult.objects.create(
        monitor=monitor, started_at=timezone.now(), region="eu", outcome="rate_limited"
    )
    assert "Last 10 min" not in page(client)
