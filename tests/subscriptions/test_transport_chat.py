"""Chat subscriptions delivered to real HTTP servers that check each app's schema and answer as it does."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from statuspage.incidents import services as incidents
from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
from statuspage.subscriptions import delivery
from statuspage.subscriptions.models import Delivery, Subscriber
from tests.chatapps import discord_problems, googlechat_problems, slack_problems, teams_problems
from tests.subscriptions.helpers import send_emails

APPS = ["slack", "discord", "teams", "googlechat"]


def send_chat() -> None:
    delivery.send_due("chat", budget_s=20)


@pytest.fixture
def chat_subscriber(make_subscriber):
    def make(fake, hook: str = "hook1", **kwargs) -> Subscriber:
        return make_subscriber(kind="chat", chat_app=fake.app, webhook_url=fake.url(hook), **kwargs)

    return make


@pytest.mark.parametrize("app", APPS)
def test_an_update_arrives_in_the_apps_own_format(app, chat_apps, chat_subscriber, components, publish):
    fake = chat_apps(app)
    chat_subscriber(fake, components=[components["Chat"]])

    update = publish(components["Chat"], name="Elevated errors on Chat")
    send_chat()

    [post] = fake.posts
    assert post.status < 300, fake.problems(post.payload, 0)
    text = str(post.payload)
    assert "Investigating: Elevated errors on Chat" in text
    assert "Chat: Partial outage" in text or "'Chat', 'value': 'Partial outage'" in text
    assert f"/incidents/{update.incident.public_id}" in text
    assert "/subscriptions/manage/" in text and "/subscriptions/unsubscribe/" in text
    assert Delivery.objects.get(update=update).state == Delivery.State.SENT


@pytest.mark.parametrize(
    ("app", "colour_of"),
    [
        ("slack", lambda p: p["attachments"][0]["color"]),
        ("discord", lambda p: f"#{p['embeds'][0]['color']:06x}"),
        ("teams", lambda p: p["attachments"][0]["content"]["body"][0]["style"]),
        (
            "googlechat",
            lambda p: p["cardsV2"][0]["card"]["sections"][0]["widgets"][0]["decoratedText"]["text"],
        ),
    ],
)
def test_the_message_takes_the_impacts_colour(
    app, colour_of, chat_apps, chat_subscriber, components, publish
):
    fake = chat_apps(app)
    chat_subscriber(fake)

    incidents.open_incident(
        IncidentDraft(
            name="Chat is down",
            impact="critical",
            body="Down.",
            component_statuses={components["Chat"]: "major_outage"},
        )
    )
    send_chat()

    colour = colour_of(fake.accepted()[0].payload)
    assert "#e74c3c" in colour or colour == "attention"


@pytest.mark.parametrize("app", APPS)
def test_a_huge_incident_stays_within_every_limit(app, chat_apps, chat_subscriber, make_component):
    fake = chat_apps(app)
    chat_subscriber(fake)
    many = [make_component(f"Model endpoint number {i:03d} with a long name") for i in range(300)]

    incident = incidents.open_incident(
        IncidentDraft(
            name="Everything " * 27,
            impact="critical",
            body="A very long explanation. " * 1000,
            component_statuses={c: "major_outage" for c in many},
        )
    )
    send_chat()

    [post] = fake.posts
    assert post.status < 300, fake.problems(post.payload, 10**6)
    assert "more" in str(post.payload)  # the components that did not fit are counted, not dropped silently
    assert Delivery.objects.get(update__incident=incident).state == Delivery.State.SENT


def test_the_fake_apps_refuse_what_the_real_ones_refuse():
    """The checks above can fail: each server refuses a payload over its app's documented limits."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert slack_problems({"text": "t", "blocks": [section] * 51}) == ["51 blocks, over 50"]
    embed = {"title": "t", "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}] * 2}
    assert discord_problems({"embeds": [embed]}) == ["6147 characters in embeds, over 6,000"]
    assert discord_problems({"embeds": [{"title": "t"}] * 11}) == ["11 embeds, over 10"]
    card = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "x"}]}
    message = {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    ]}  # fmt: skip
    assert teams_problems(message, 28 * 1024) == []
    assert teams_problems(message, 28 * 1024 + 1) == ["28673 bytes, over Teams' 28 KB"]
    assert googlechat_problems({"text": "x"}, 32_001) == ["32001 bytes, over 32,000"]


def test_slack_gets_at_most_one_message_a_second_per_webhook(chat_apps, chat_subscriber, components, publish):
    fake = chat_apps("slack")
    chat_subscriber(fake, "teamA")
    chat_subscriber(fake, "teamB")
    first = publish(components["Chat"])
    incidents.post_update(first.incident, UpdateDraft(status="identified", body="Found it."))

    send_chat()  # four messages, two per webhook, in one batch

    assert [p.status for p in fake.posts] == [200] * 4  # the app never had to refuse one
    for hook in ("teamA", "teamB"):
        one, two = fake.accepted(hook)
        assert two.at - one.at >= 0.99


def test_discord_429_is_retried_no_sooner_than_its_retry_after(
    chat_apps, chat_subscriber, components, publish
):
    fake = chat_apps("discord")
    chat_subscriber(fake)
    fake.throttle_next[fake.path()] = 4.5
    update = publish(components["Chat"])

    before = timezone.now()
    send_chat()

    row = Delivery.objects.get(update=update)
    assert row.state == Delivery.State.PENDING and row.attempts == 1
    assert "429" in row.last_error
    assert row.next_attempt_at >= before + timedelta(seconds=4.5)
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # time has passed
    send_chat()
    assert Delivery.objects.get(pk=row.pk).state == Delivery.State.SENT
    assert [p.status for p in fake.posts] == [429, 204]


def test_discords_empty_bucket_paces_the_next_message(chat_apps, chat_subscriber, components, publish):
    fake = chat_apps("discord")
    fake.discord_bucket = 1  # the first answer says: nothing left for 0.5 s
    chat_subscriber(fake)
    first = publish(components["Chat"])
    incidents.post_update(first.incident, UpdateDraft(status="identified", body="Found it."))

    send_chat()

    one, two = fake.accepted()
    assert two.at - one.at >= 0.49


@pytest.mark.parametrize("app", APPS)
def test_a_deleted_webhook_ends_the_subscription_and_tells_the_subscriber(
    app, chat_apps, chat_subscriber, components, publish, smtp
):
    fake = chat_apps(app)
    subscriber = chat_subscriber(fake, email="ada@example.com")
    fake.deleted.add(fake.path())

    update = publish(components["Chat"])
    send_chat()

    row = Delivery.objects.get(update=update)
    assert row.state == Delivery.State.DEAD and "404" in row.last_error
    subscriber.refresh_from_db()
    assert subscriber.ended_at is not None and not subscriber.confirmed
    send_emails()
    [message] = smtp.mailbox.to("ada@example.com")
    assert "have stopped" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "no longer exists" in text and "/subscribe" in text
    # Nothing more is queued for it.
    incidents.post_update(update.incident, UpdateDraft(status="identified", body="Found it."))
    assert Delivery.objects.filter(subscriber=subscriber).count() == 2  # the dead update and the email


def test_a_rejected_payload_is_dead_at_once_with_the_apps_reason(
    chat_apps, chat_subscriber, components, publish
):
    fake = chat_apps("slack")
    chat_subscriber(fake)
    fake.problems = lambda payload, size: ["pretend the schema changed"]

    update = publish(components["Chat"])
    send_chat()

    row = Delivery.objects.get(update=update)
    assert row.state == Delivery.State.DEAD
    assert row.last_error.endswith("400 invalid_blocks")


def test_a_url_edited_to_a_foreign_host_is_refused_at_send_time(
    chat_apps, chat_subscriber, components, publish
):
    fake = chat_apps("slack")
    subscriber = chat_subscriber(fake)
    Subscriber.objects.filter(pk=subscriber.pk).update(webhook_url="http://127.0.0.1:9/services/T0/B0/x")

    update = publish(components["Chat"])
    send_chat()

    row = Delivery.objects.get(update=update)
    assert row.state == Delivery.State.DEAD and "destination refused" in row.last_error
    assert fake.posts == []


def test_chat_deliveries_show_in_the_incident_overview_and_can_be_retried(
    chat_apps, chat_subscriber, components, publish, operator
):
    fake = chat_apps("slack")
    chat_subscriber(fake)
    fake.problems = lambda payload, size: ["refused for now"]
    update = publish(components["Chat"])
    send_chat()

    page = operator.get(f"/admin/incidents/incident/{update.incident.pk}/change/").content.decode()
    assert "Chat app 1" in page and "Slack 127.0.0.1" in page
    operator.post(f"/admin/incidents/incident/{update.incident.pk}/updates/{update.pk}/retry/")
    del fake.problems  # the app takes it again
    time.sleep(0)
    send_chat()
    assert Delivery.objects.get(update=update).state == Delivery.State.SENT
