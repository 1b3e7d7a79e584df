"""The component page in real Chromium: charts read by hover and keyboard, on desktop and phone, light
and dark, with screenshots saved for review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.history import aggregator
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture
def chat(make_component, make_monitor, settings):
    settings.PAGE_REFRESH_SECONDS = 3600
    monitor = make_monitor(regions=["eu", "us"])
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    component = make_component("Chat completions", group=group, monitors=[monitor],
                               created_at=timezone.now() - timedelta(days=2))  # fmt: skip
    now = timezone.now()
    batch = []
    for n in range(1, 24 * 6):  # every 10 minutes for a day, in two regions; an outage 5 hours ago
        at = now - timedelta(minutes=10 * n)
        for region, base in (("eu", 300.0), ("us", 450.0)):
            failing = 4 * 6 < n < 5 * 6
            outcome = (Outcome.TIMEOUT_TTFT if n % 3 else Outcome.OVERLOADED) if failing else Outcome.OK
            measured = {} if failing else {"ttft_ms": base + n % 7 * 20, "total_ms": base * 3 + n % 5 * 50,
                                            "tokens_per_s": 60.0 + n % 4, "http_status": 200}  # fmt: skip
            batch.append(Observation(monitor_id=monitor.pk, outcome=outcome, started_at=at, region=region,
                                     **measured))  # fmt: skip
    record(sorted(batch, key=lambda o: o.started_at))
    aggregator.catch_up(now - timedelta(minutes=30), timedelta(0))  # the last half hour only raw
    services.open_incident(
        IncidentDraft(
            name="Elevated errors on Chat completions",
            impact="major",
            body="Timeouts.",
            component_statuses={component: "partial_outage"},
        ),
        now=now - timedelta(hours=5),
    )
    return component


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_chart_shows_each_steps_values_on_keyboard_focus(
    page, live_server, chat, axe, artifacts, device, scheme
):
    page.set_viewport_size(VIEWPORTS[device])
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/components/{chat.public_id}")
    ttft = page.locator("#ttft")
    legend = ttft.locator(".legend").inner_text()
    assert "eu p50" in legend and "us p50" in legend
    column = ttft.locator("g.col").nth(-2)  # the last whole hour
    tip = column.locator(".tipbox")
    assert not tip.is_visible()
    column.focus()
    assert tip.is_visible()
    assert "eu p50" in tip.text_content() and " ms" in tip.text_content()
    assert "UTC" in column.get_attribute("aria-label")
    assert page.locator(".shade.incident").count() >= 4  # shaded on every time chart
    assert "overloaded" in page.locator("#outcomes .legend").inner_text()
    page.screenshot(path=str(artifacts / f"component-{device}-{scheme}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []


def test_hovering_a_step_shows_its_values(page, live_server, chat):
    page.goto(f"{live_server.url}/components/{chat.public_id}?range=1h")
    column = page.locator("#latency g.col").last
    column.locator(".hit").hover()
    assert column.locator(".tipbox").is_visible()


def test_every_range_draws_from_the_same_data(page, live_server, chat):
    for name in ("1h", "24h", "7d", "30d", "90d"):
        page.goto(f"{live_server.url}/components/{chat.public_id}?range={name}")
        assert page.locator("figure.perf").count() == 6, name
        assert page.locator(f'.ranges a[aria-current="page"][href="?range={name}"]').count() == 1


def test_arrow_keys_move_between_steps_with_one_tab_stop_per_chart(page, live_server, chat):
    page.goto(f"{live_server.url}/components/{chat.public_id}")
    columns = page.locator("#latency g.col")
    assert page.locator('#latency g.col[tabindex="0"]').count() == 1  # the latest step
    columns.last.focus()
    page.keyboard.press("ArrowLeft")
    focused = columns.nth(columns.count() - 2)
    assert focused.evaluate("node => node === document.activeElement")
    assert focused.locator(".tipbox").is_visible()
