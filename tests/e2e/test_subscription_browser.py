"""Subscription pages in real Chromium: the forms a subscriber submits pass Django's CSRF origin check.

Test clients send no Origin header, so only a browser shows what a page's Referrer-Policy does to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from django.utils import timezone

from statuspage.subscriptions import tokens
from statuspage.subscriptions.models import Subscriber

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def isolated_redis(settings) -> Iterator[None]:
    """Throttle counts and delivery doorbells of this test in names of its own, forgotten afterwards."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"
    settings.DELIVERY_QUEUE = f"test-deliveries-{uuid.uuid4().hex}"
    yield
    queue = settings.DELIVERY_QUEUE
    redis.Redis.from_url(settings.REDIS_URL).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


@pytest.fixture
def components(make_component) -> dict:
    return {name: make_component(name, position=i) for i, name in enumerate(("Chat", "Embeddings"))}


@pytest.fixture
def no_script_page(browser):
    """A tab with JavaScript off: the subscribe form is then a plain HTML form post, as without htmx."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def link(live_server, purpose: tokens.Purpose, subscriber: Subscriber) -> str:
    token = tokens.make(purpose, subscriber.public_id)
    return f"{live_server.url}/subscriptions/{purpose}/{token}"


def test_clicking_confirm_confirms_the_subscription(page, live_server, components):
    subscriber = Subscriber.objects.create(email="ada@example.com")
    referers = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))

    page.goto(link(live_server, tokens.Purpose.CONFIRM, subscriber))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("heading", name="Your subscription").wait_for()
    subscriber.refresh_from_db()
    assert subscriber.confirmed
    # Neither the form post nor the redirect to the manage page repeats the confirm token in a Referer.
    assert all("/subscriptions/" not in referer for referer in referers)


def test_saving_on_the_manage_page_changes_the_choice(page, live_server, components):
    subscriber = Subscriber.objects.create(email="ada@example.com", confirmed_at=timezone.now())

    page.goto(link(live_server, tokens.Purpose.MANAGE, subscriber))
    page.get_by_label("Only the components I tick").check()
    page.get_by_label("Embeddings").check()
    page.get_by_role("button", name="Save").click()

    page.get_by_text("Saved.").wait_for()
    subscriber.refresh_from_db()
    assert not subscriber.all_components
    assert list(subscriber.components.values_list("name", flat=True)) == ["Embeddings"]


def test_subscribing_without_javascript_shows_a_whole_page(no_script_page, live_server, components):
    page = no_script_page
    page.goto(f"{live_server.url}/subscribe")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_role("button", name="Subscribe").click()

    page.get_by_text("Check your inbox").wait_for()
    assert page.locator("nav[aria-label=Site]").is_visible()  # the site's layout, not a bare fragment
    assert Subscriber.objects.get().email == "ada@example.com"


def test_no_subscription_page_sends_its_token_in_a_referer(page, live_server, components):
    subscriber = Subscriber.objects.create(email="ada@example.com", confirmed_at=timezone.now())
    referers = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))

    page.goto(link(live_server, tokens.Purpose.MANAGE, subscriber))
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")

    assert referers[1:] and all("/subscriptions/" not in referer for referer in referers)


def test_subscribing_with_htmx_swaps_the_message_into_the_page(page, live_server, components):
    page.goto(f"{live_server.url}/subscribe")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_role("button", name="Subscribe").click()

    page.get_by_text("Check your inbox").wait_for()
    assert page.locator("nav[aria-label=Site]").count() == 1  # the fragment, not a page inside the page
    assert Subscriber.objects.get().email == "ada@example.com"
