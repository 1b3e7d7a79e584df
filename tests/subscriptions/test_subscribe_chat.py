"""Subscribing a chat app's incoming webhook: only each app's official https hosts, confirmed by email."""

from __future__ import annotations

import socket

import pytest

from statuspage.subscriptions import delivery, tokens
from statuspage.subscriptions.chat import hosts
from statuspage.subscriptions.destinations import RefusedDestination
from statuspage.subscriptions.models import Subscriber
from tests.subscriptions.helpers import link_in, path_of, send_emails


def subscribe(client, email="ada@example.com", **fields):
    return client.post("/subscribe", {"email": email, "scope": "all", **fields})


@pytest.mark.parametrize(
    ("url", "app"),
    [
        ("https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/abcdEFGH1234", "slack"),
        ("https://discord.com/api/webhooks/112233445566778899/aB-c_D", "discord"),
        ("https://discordapp.com/api/v10/webhooks/112233445566778899/token", "discord"),
        (
            "https://prod-12.westus.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke?sig=x",
            "teams",
        ),
        ("https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d", "teams"),
        ("https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=k&token=t", "googlechat"),
    ],
)
def test_each_apps_official_webhook_links_are_recognised(url, app):
    assert hosts.app_for(url) == app


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.slack.com/services/T0/B0/x", "paste the https:// incoming-webhook link"),
        ("https://hooks.slack.com.evil.example/services/T0/B0/x", "paste the https:// incoming-webhook link"),
        ("https://evil.example/services/T0/B0/x", "paste the https:// incoming-webhook link"),
        ("https://hooks.slack.com:8443/services/T0/B0/x", "paste the https:// incoming-webhook link"),
        ("https://user:pw@hooks.slack.com/services/T0/B0/x", "must not contain a user name or password"),
        ("https://hooks.slack.com/triggers/T0/1/x", "not the shape of a slack incoming-webhook link"),
        ("https://discord.com/api/webhooks/not-a-number/token", "not the shape of a discord"),
        ("https://chat.googleapis.com/v1/spaces/AAAA/members", "not the shape of a googlechat"),
        ("https://evil.logic.azure.com.example/workflows/x", "paste the https:// incoming-webhook link"),
    ],
)
def test_anything_else_is_refused(url, reason):
    with pytest.raises(RefusedDestination, match=reason):
        hosts.app_for(url)


def test_loopback_is_no_chat_app_unless_a_test_names_it(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True  # even with the address guard relaxed
    url = "http://127.0.0.1:8999/services/T0/B0/x"
    with pytest.raises(RefusedDestination):
        hosts.app_for(url)
    settings.CHAT_TEST_HOSTS = {"127.0.0.1:8999": "slack"}
    assert hosts.app_for(url) == "slack"


def test_an_official_host_resolving_to_a_private_address_is_still_refused(client, components, monkeypatch):
    """DNS answering with an internal address for hooks.slack.com opens no way in."""

    real = socket.getaddrinfo

    def internal(host, port, *args, **kwargs):
        if host != "hooks.slack.com":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", internal)

    response = subscribe(client, chat_url="https://hooks.slack.com/services/T0/B0/x")

    assert "resolves to 10.0.0.7, a private or reserved address" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_foreign_link_is_explained_on_the_form(client, components):
    response = subscribe(client, chat_url="https://example.com/services/T0/B0/x")

    page = response.content.decode()
    assert "We cannot post to that link: paste the https:// incoming-webhook link" in page
    assert not Subscriber.objects.exists()


def test_a_webhook_and_a_chat_link_at_once_are_refused(client, components, chat_apps, settings):
    fake = chat_apps("slack")

    response = subscribe(client, webhook_url="http://127.0.0.1:9/hooks", chat_url=fake.url())

    assert "not both" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_chat_subscription_is_confirmed_by_email_then_gets_updates(
    client, smtp, components, chat_apps, publish
):
    fake = chat_apps("slack")
    subscribe(client, chat_url=fake.url(), scope="some", components=[components["Chat"].public_id])
    send_emails()
    [confirmation] = smtp.mailbox.to("ada@example.com")
    assert confirmation["Subject"] == "Confirm your Slack subscription to updates from AI Status"
    text = confirmation.get_body(("plain",)).get_content()
    assert "posted to Slack through the incoming webhook on 127.0.0.1" in text
    assert "hook1" not in text  # the link is the channel's password: never repeated in an email

    publish(components["Chat"])  # not confirmed yet: nothing goes out
    client.post(path_of(link_in(confirmation, "confirm")))
    publish(components["Chat"], name="Chat errors again")
    delivery.send_due("chat", budget_s=10)

    subscriber = Subscriber.objects.get()
    assert (subscriber.kind, subscriber.chat_app, subscriber.confirmed) == ("chat", "slack", True)
    [post] = fake.posts
    assert "Chat errors again" in post.payload["attachments"][0]["blocks"][0]["text"]["text"]


def test_the_manage_page_linked_from_the_channel_never_shows_the_webhook_link(client, make_subscriber):
    """Everyone in the channel sees the manage link; the webhook link is the channel's password."""
    url = "https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/secretpart"
    subscriber = make_subscriber("ada@example.com", kind="chat", chat_app="slack", webhook_url=url)

    page = client.get(f"/subscriptions/manage/{tokens.make(tokens.Purpose.MANAGE, subscriber.public_id)}")

    text = page.content.decode()
    assert "posted to Slack" in text and "hooks.slack.com" in text
    assert "secretpart" not in text and "ada@example.com" not in text
