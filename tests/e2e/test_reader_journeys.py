"""What a reader does, in real Chromium on a desktop and a phone, light and dark: rank models, read an
incident's error mix, look back over past incidents, subscribe from the header through confirmation.
Screenshots of each land in tests/e2e/artifacts for review."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from monitors.history import histogram
from monitors.models import HourlyRollup, Monitor, ProbeResult, Provider
from statuspage.components.models import ComponentGroup
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Subscriber
from tests.histograms import to_json

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 375, "height": 812}}
LOOKS = [(device, scheme) for device in VIEWPORTS for scheme in ("light", "dark")]


@pytest.fixture(autouse=True)
def isolated_redis(settings) -> Iterator[None]:
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"
    settings.DELIVERY_QUEUE = f"test-deliveries-{uuid.uuid4().hex}"
    settings.PAGE_REFRESH_SECONDS = 3600
    yield
    queue = settings.DELIVERY_QUEUE
    redis.Redis.from_url(settings.REDIS_URL).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


def chat_model(provider: str, model: str, status: str, ttft_ms: float, failures: int = 0) -> Monitor:
    owner, _ = Provider.objects.get_or_create(name=provider, slug=provider, base_url="http://127.0.0.1:9")
    monitor = Monitor.objects.create(
        provider=owner, name=f"{model} chat", kind="openai", url="http://127.0.0.1:9", model=model,
        status=status, last_probe_at=timezone.now() - timedelta(seconds=10),
    )  # fmt: skip
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    outcomes = {"ok": 100 - failures, "overloaded": failures}
    HourlyRollup.objects.create(
        monitor=monitor, region="eu", hour=hour, probes=100, outcomes=outcomes,
        ttft=to_json({histogram.bucket(ttft_ms): 100 - failures}),
        tps=to_json({histogram.bucket(65): 100 - failures}),
    )  # fmt: skip
    return monitor


@pytest.fixture
def world(make_component):
    haiku = chat_model("Anthropic", "claude-haiku", "up", 210, failures=59)  # just back from 41 %
    gpt = chat_model("OpenAI", "gpt-4o", "up", 640)
    chat_model("Gemini", "gemini-flash", "down", 90)
    group = ComponentGroup.objects.create(name="Anthropic", position=1)
    messages = make_component("Messages", group=group, monitors=[haiku], showcase=True,
                              created_at=timezone.now() - timedelta(days=20))  # fmt: skip
    make_component("OpenAI Chat", monitors=[gpt], position=2, created_at=timezone.now() - timedelta(days=20))
    now = timezone.now()
    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=haiku, started_at=now - timedelta(minutes=20 - n), region=("eu", "us")[n % 2],
                    outcome="timeout_ttft" if n % 4 else "overloaded", http_status=None if n % 4 else 529)
        for n in range(16)
    )  # fmt: skip
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated errors on Anthropic Messages",
            impact="major",
            body="Requests time out.",
            component_statuses={messages: "partial_outage"},
        ),
        now=now - timedelta(minutes=15),
    )
    old = services.open_incident(
        IncidentDraft(
            name="Slow responses on OpenAI Chat", impact="minor", body="Slow.", component_statuses={}
        ),
        now=now - timedelta(days=4),
    )
    services.post_update(
        old,
        UpdateDraft(status="resolved", body="Fine again."),
        now=now - timedelta(days=4) + timedelta(hours=1),
    )
    return messages, incident


def look(page, device: str, scheme: str) -> None:
    page.set_viewport_size(VIEWPORTS[device])
    page.emulate_media(color_scheme=scheme)


@pytest.mark.parametrize(("device", "scheme"), LOOKS)
def test_the_models_page_ranks_success_before_speed(page, live_server, world, axe, artifacts, device, scheme):
    look(page, device, scheme)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Models now").click()
    page.wait_for_url(re.compile("/models$"))
    models = page.locator("table.models tbody th").all_inner_texts()
    assert [m.split("\n")[0].split("Anthropic")[0].split("OpenAI")[0].split("Gemini")[0] for m in models] == [
        "gpt-4o", "claude-haiku", "gemini-flash",
    ]  # fmt: skip
    assert "35.3%" in page.locator("table.models tbody tr").nth(1).inner_text()  # 41 of 100, then 16 failed
    page.screenshot(path=str(artifacts / f"models-{device}-{scheme}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []


@pytest.mark.parametrize(("device", "scheme"), LOOKS)
def test_an_incident_says_what_users_hit(page, live_server, world, axe, artifacts, device, scheme):
    _, incident = world
    look(page, device, scheme)
    page.goto(live_server.url + "/")
    card = page.locator(f"#i-{incident.public_id}")
    assert "Last 10 min:" in page.locator(".mix-now").first.inner_text()
    card.get_by_role("link").click()
    page.wait_for_url(re.compile(f"/incidents/{incident.public_id}$"))
    saw = page.locator(".users-saw").inner_text()
    assert "time out before the first token" in saw and "overloaded" in saw
    assert "eu (100% failed)" in saw and "us (100% failed)" in saw and "First failing probe" in saw
    when = page.locator(".users-saw time").first
    assert when.get_attribute("title").endswith(" UTC")  # local time shown, UTC on hover
    page.screenshot(path=str(artifacts / f"incident-{device}-{scheme}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []


@pytest.mark.parametrize(("device", "scheme"), LOOKS)
def test_past_incidents_go_back_fifteen_days(page, live_server, world, axe, artifacts, device, scheme):
    look(page, device, scheme)
    page.goto(live_server.url + "/")
    past = page.locator("section.past")
    assert past.locator(".past-day").count() == 15
    opened = (timezone.now() - timedelta(minutes=15)).date()  # the open incident's day (UTC)
    index = (timezone.now().date() - opened).days
    assert "Elevated errors on Anthropic Messages" in past.locator(".past-day").nth(index).inner_text()
    day = past.locator(".past-day").nth(4)
    assert "Slow responses on OpenAI Chat" in day.inner_text()
    assert "No incidents reported." in past.locator(".past-day").nth(3).inner_text()
    bars = page.locator("ol.bar").first.locator("li:visible")
    assert bars.count() == (30 if device == "phone" else 90)
    page.screenshot(path=str(artifacts / f"index-readers-{device}-{scheme}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []


@pytest.mark.parametrize(("device", "scheme"), [("desktop", "light"), ("phone", "dark")])
def test_subscribing_from_the_header_through_confirmation(
    page, live_server, world, axe, artifacts, device, scheme
):
    look(page, device, scheme)
    page.goto(live_server.url + "/")
    page.locator("header").get_by_role("link", name="Subscribe").click()
    page.wait_for_url(re.compile("/subscribe$"))
    page.wait_for_function("window.htmx !== undefined")
    boxes = page.locator('input[name="components"]')
    assert boxes.first.is_disabled()  # "all components" is chosen
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Only the components I tick").check()
    assert boxes.first.is_enabled()
    page.get_by_role("button", name="Subscribe").click()
    error = page.locator("fieldset.scope .error")
    error.wait_for()  # no component ticked: said where the components are
    assert "Tick at least one component" in error.inner_text()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / f"subscribe-errors-{device}-{scheme}.png"), full_page=True)
    page.get_by_label("Messages").check()
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Check your inbox").wait_for()
    subscriber = Subscriber.objects.get()
    page.goto(
        f"{live_server.url}/subscriptions/confirm/{tokens.make(tokens.Purpose.CONFIRM, subscriber.public_id)}"
    )
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_text("You're subscribed.").wait_for()
    subscriber.refresh_from_db()
    assert subscriber.confirmed and list(subscriber.components.values_list("name", flat=True)) == ["Messages"]
    page.screenshot(path=str(artifacts / f"subscribed-{device}-{scheme}.png"), full_page=True)
    assert axe(page) == []
