"""Which URLs are a chat app's incoming webhook: each app's official hosts, over https, its path shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from statuspage.subscriptions.destinations import RefusedDestination


@dataclass(frozen=True)
class Rule:
    app: str
    hosts: tuple[str, ...]  # exact names; ".example.com" also admits any name under example.com
    path: re.Pattern[str]


# From each app's documentation of its incoming webhooks. Slack's workflow triggers (/triggers/) take
# their own variables, not Block Kit, so they are not admitted.
RULES = (
    Rule("slack", ("hooks.slack.com",), re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+")),
    Rule(
        "discord",
        ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"),
        re.compile(r"/api(/v\d+)?/webhooks/\d+/[A-Za-z0-9_-]+"),
    ),
    Rule(  # Workflows (Power Automate) webhooks, and the Office 365 connectors still running
        "teams",
        (".logic.azure.com", ".environment.api.powerplatform.com", ".webhook.office.com"),
        re.compile(r"/(workflows|powerautomate|webhookb2)/.+"),
    ),
    Rule("googlechat", ("chat.googleapis.com",), re.compile(r"/v1/spaces/[A-Za-z0-9_-]+/messages")),
)


def app_for(url: str) -> str:
    """The app whose incoming webhook this URL is, or RefusedDestination saying what is accepted.

    Tests point apps at loopback servers through settings.CHAT_TEST_HOSTS ("host:port" -> app), a
    setting read from no environment variable: production can only ever reach the official hosts.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    test_app = settings.CHAT_TEST_HOSTS.get(parts.netloc.lower())
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination("the URL must not contain a user name or password")
    for rule in RULES:
        official = any(host == h or (h.startswith(".") and host.endswith(h)) for h in rule.hosts)
        if not (test_app == rule.app or (official and parts.scheme == "https" and parts.port in (None, 443))):
            continue
        if not rule.path.fullmatch(parts.path):
            raise RefusedDestination(f"that is not the shape of a {rule.app} incoming-webhook link")
        return rule.app
    raise RefusedDestination(
        "paste the https:// incoming-webhook link Slack, Discord, Microsoft Teams or Google Chat gave you"
    )
