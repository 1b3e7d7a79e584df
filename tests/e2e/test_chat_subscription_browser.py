"""Subscribing a Slack channel from the page in real Chromium, then the update arriving there as Block Kit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from statuspage.incidents import services as incidents
from statuspage.incidents.drafts import IncidentDraft
from statuspage.subscriptions import delivery, services
from statuspage.subscriptions.models import Subscriber
from tests.chatapps import chat_apps  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def isolated_redis(settings) -> Iterator[None]:
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"
    settings.DELIVERY_QUEUE = f"test-deliveries-{uuid.uuid4().hex}"
    yield
    queue = settings.DELIVERY_QUEUE
    redis.Redis.from_url(settings.REDIS_URL).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


def test_a_slack_webhook_subscribed_from_the_page_gets_the_next_update(
    page,
    live_server,
    make_component,
    chat_apps,  # noqa: F811 - the fixture imported above
):
    slack = chat_apps("slack")
    chat = make_component("Chat")
    page.goto(f"{live_server.url}/subscribe")
    page.wait_for_function("window.htmx !== undefined")

    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Slack, Discord, Teams or Google Chat webhook (optional)").fill(slack.url("T9"))
    page.get_by_label("Only the components I tick").check()
    page.get_by_role("checkbox", name="Chat").check()
    page.get_by_role("button", name="Subscribe").click()

    page.get_by_text("Check your inbox").wait_for()
    subscriber = Subscriber.objects.get()
    assert (subscriber.kind, subscriber.chat_app, subscriber.webhook_url) == (
        "chat",
        "slack",
        slack.url("T9"),
    )
    assert list(subscriber.components.all()) == [chat]

    services.confirm(subscriber)  # the email's link, clicked (covered by the confirmation tests)
    incidents.open_incident(
        IncidentDraft(
            name="Chat errors",
            impact="major",
            body="Looking into it.",
            component_statuses={chat: "partial_outage"},
        )
    )
    delivery.send_due("chat", budget_s=10)

    [post] = slack.posts
    assert post.status == 200
    assert post.payload["attachments"][0]["blocks"][0]["text"]["text"] == "Investigating: Chat errors"


def test_a_link_that_is_no_chat_app_is_explained_in_place(page, live_server, make_component):
    make_component("Chat")
    page.goto(f"{live_server.url}/subscribe")
    page.wait_for_function("window.htmx !== undefined")

    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Slack, Discord, Teams or Google Chat webhook (optional)").fill(
        "https://example.com/hook"
    )
    page.get_by_role("button", name="Subscribe").click()

    page.get_by_text("We cannot post to that link").wait_for()
    assert not Subscriber.objects.exists()
