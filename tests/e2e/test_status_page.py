"""The page in a real browser: live updates without reload, navigation, screenshots, accessibility."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(make_component, settings):
    settings.PAGE_POLL_SECONDS = 1
    # The snapshot is also re-rendered every PAGE_REFRESH_SECONDS; at 30 s a boundary fell inside the
    # "nothing changed" window now and then, and its new tag made a poll answer 200.
    settings.PAGE_REFRESH_SECONDS = 3600
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    chat = make_component("Chat completions", group=group, position=1,
                          created_at=timezone.now() - timedelta(days=120))  # fmt: skip
    make_component("Embeddings", group=group, position=2, created_at=timezone.now() - timedelta(days=30))
    make_component("Website", position=2)
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated errors on chat",
            impact="major",
            body="We are investigating 5xx errors.",
            component_statuses={chat: "partial_outage"},
        ),
        now=timezone.now() - timedelta(days=1, hours=3),
    )
    services.post_update(
        incident,
        UpdateDraft(
            status="resolved", body="Errors are back to normal.", component_statuses={chat: "operational"}
        ),
        now=timezone.now() - timedelta(days=1),
    )
    return chat, incident


def test_a_status_change_shows_without_a_reload(page, live_server, world):
    chat, _ = world
    live = []
    page.on("response", lambda r: live.append(r.status) if "/partials/live" in r.url else None)
    page.goto(live_server.url + "/")
    row = page.locator(f"#c-{chat.public_id}")
    assert "Operational" in row.inner_text()
    page.evaluate("window.__sameDocument = true")
    page.wait_for_timeout(2500)
    assert 304 in live and 200 not in live  # polls happened, and nothing changed

    chat.status = "major_outage"
    chat.save()  # committed: the on-commit hook bumps the page version
    row.get_by_text("Major outage").wait_for(timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator(".banner").inner_text().strip().startswith("Partial System Outage")


def test_polling_stops_while_the_tab_is_hidden(page, live_server, world):
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/partials/live" in r.url else None)
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
          document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    requests.clear()
    page.wait_for_timeout(3000)
    assert requests == []
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
          document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    page.wait_for_timeout(500)
    assert len(requests) >= 1  # catching up at once when the reader comes back


def test_an_open_group_stays_as_the_reader_left_it_across_refreshes(page, live_server, world):
    chat, _ = world
    page.goto(live_server.url + "/")
    group = page.locator("details.group").first
    group.locator("summary").click()  # close it
    assert group.get_attribute("open") is None
    chat.status = "degraded_performance"
    chat.save()
    page.locator(f"#c-{chat.public_id}").get_by_text("Degraded performance").wait_for(
        state="attached", timeout=10_000
    )
    assert page.locator("details.group").first.get_attribute("open") is None


def test_incident_page_and_history_work(page, live_server, world):
    _, incident = world
    page.goto(live_server.url + "/history")
    page.get_by_role("link", name="Elevated errors on chat").click()
    page.wait_for_url(re.compile(f"/incidents/{incident.public_id}$"))
    timeline = page.locator("ol.timeline > li")
    assert timeline.count() == 2
    assert "Resolved" in timeline.nth(0).inner_text()  # newest first
    when = timeline.nth(0).locator("time")  # each time once: local, UTC on hover
    assert when.get_attribute("title").endswith(" UTC") and "UTC" not in when.inner_text()
    assert "Duration" in page.locator("dl.facts").inner_text()
    page.get_by_role("link", name="History").first.click()
    page.wait_for_url(re.compile("/history$"))
    assert timezone.now().strftime("%B %Y") in page.locator("main").inner_text()


def test_uptime_bars_work_from_the_keyboard(page, live_server, world):
    chat, _ = world
    page.goto(live_server.url + "/")
    bar = page.locator(f"#c-{chat.public_id} ol.bar")
    bar.locator("li").last.focus()
    page.keyboard.press("ArrowLeft")
    tip = page.locator("#bar-tip")
    assert tip.is_visible()
    text = tip.inner_text()
    assert "uptime" in text and "Elevated errors on chat" in text  # yesterday had the incident


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_and_no_serious_accessibility_violations(
    page, live_server, world, axe, artifacts, scheme
):
    _, incident = world
    page.emulate_media(color_scheme=scheme)
    for path, name in (
        ("/", "index"),
        (f"/incidents/{incident.public_id}", "incident"),
        ("/history", "history"),
    ):
        page.goto(live_server.url + path)
        page.screenshot(path=str(artifacts / f"{name}-{scheme}.png"), full_page=True)
        assert axe(page) == [], f"{path} in {scheme} mode"
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    page.screenshot(path=str(artifacts / f"index-phone-{scheme}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert axe(page) == []


def test_the_accessibility_check_does_catch_a_violation(page, axe):
    page.set_content('<html lang="en"><title>t</title><body><main><img src="data:,"></main></body></html>')
    assert [v["id"] for v in axe(page)] == ["image-alt"]


def test_the_widget_shows_the_status_on_another_site(page, live_server, world):
    page.set_content(
        f'<html lang="en"><body><div id="statuspage-widget"></div>'
        f'<script src="{live_server.url}/embed.js"></script></body></html>'
    )
    pill = page.locator("#statuspage-widget a")  # inside the widget's open shadow root
    pill.get_by_text("All Systems Operational").wait_for(timeout=10_000)
    assert pill.get_attribute("href") == live_server.url + "/"
