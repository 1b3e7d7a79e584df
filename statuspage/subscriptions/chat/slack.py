"""Slack: Block Kit in an attachment coloured by impact (api.slack.com/messaging/webhooks)."""

from __future__ import annotations

from typing import Any

from statuspage.subscriptions.chat.notice import Notice, clip, component_lines

MIN_INTERVAL_S = 1.0  # "1 message per second" per incoming webhook, short bursts allowed
SECTION_TEXT = 3000  # Block Kit's limit on a section's text
HEADER_TEXT = 150


def escape(text: str) -> str:
    """Slack's three control characters in mrkdwn; "<" would otherwise start a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(notice: Notice) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(notice.heading, HEADER_TEXT)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Status*\n{escape(notice.status)}"},
                {"type": "mrkdwn", "text": f"*Impact*\n{escape(notice.impact)}"},
            ],
        },
    ]
    if notice.body.strip():
        blocks.append(_section(clip(escape(notice.body), SECTION_TEXT)))
    if notice.components:
        heading = "*Affected components*\n"
        lines = component_lines(notice, SECTION_TEXT - len(heading), "• {name}: {status}", escape)
        blocks.append(_section(heading + lines))
    blocks += [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "View incident"}, "url": notice.url}
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{escape(notice.site_name)} · <{notice.manage_url}|Manage subscription> · "
                    f"<{notice.unsubscribe_url}|Unsubscribe>",
                }
            ],
        },
    ]
    # `text` is what notifications and screen readers show; the blocks are the message.
    return {
        "text": clip(escape(f"{notice.site_name}: {notice.heading}"), SECTION_TEXT),
        "attachments": [{"color": notice.colour, "blocks": blocks}],
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
