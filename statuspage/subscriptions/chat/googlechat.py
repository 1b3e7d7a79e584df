"""Google Chat: a card (cardsV2) with the status in the impact's colour (developers.google.com/chat)."""

from __future__ import annotations

from html import escape
from typing import Any

from statuspage.subscriptions.chat.notice import Notice, clip, component_lines

MIN_INTERVAL_S = 1.0  # a space takes one message per second from webhooks
TEXT = 4000


def payload(notice: Notice) -> dict[str, Any]:
    status = f'<font color="{notice.colour}"><b>{escape(notice.status)}</b></font>'
    status += f" · impact {escape(notice.impact)}"
    sections: list[dict[str, Any]] = [
        {"widgets": [{"decoratedText": {"topLabel": "Status", "text": status}}]}
    ]
    if notice.body.strip():
        sections[0]["widgets"].append({"textParagraph": {"text": escape(clip(notice.body, TEXT))}})
    if notice.components:
        lines = component_lines(notice, TEXT, escape=escape).replace("\n", "<br>")
        sections.append({"header": "Affected components", "widgets": [{"textParagraph": {"text": lines}}]})
    buttons = [("View incident", notice.url), ("Manage subscription", notice.manage_url),
               ("Unsubscribe", notice.unsubscribe_url)]  # fmt: skip
    sections.append(
        {"widgets": [{"buttonList": {"buttons": [
            {"text": text, "onClick": {"openLink": {"url": url}}} for text, url in buttons
        ]}}]}
    )  # fmt: skip
    card = {
        "header": {"title": clip(notice.heading, 200), "subtitle": f"{notice.kind} · {notice.site_name}"},
        "sections": sections,
    }
    return {"text": clip(notice.heading, TEXT), "cardsV2": [{"cardId": "incident-update", "card": card}]}
