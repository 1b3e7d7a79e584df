"""Microsoft Teams: an Adaptive Card in a message (learn.microsoft.com, "Create incoming webhooks")."""

from __future__ import annotations

from typing import Any

from statuspage.subscriptions.chat.notice import MAINTENANCE_COLOUR, RESOLVED_COLOUR, Notice, clip

MIN_INTERVAL_S = 0.25  # connectors: 4 requests per second per webhook before throttling
FACTS = 20  # components listed one per fact; the rest counted
BODY_TEXT = 4000

# Cards take no colour value, only named styles; these follow the impact.
_STYLES = {"#e74c3c": "attention", "#e67e22": "attention", "#f1c40f": "warning",
           RESOLVED_COLOUR: "good", MAINTENANCE_COLOUR: "accent"}  # fmt: skip


def payload(notice: Notice) -> dict[str, Any]:
    facts = [{"title": "Status", "value": notice.status}, {"title": "Impact", "value": notice.impact}]
    facts += [{"title": clip(name, 200), "value": status} for name, status in notice.components[:FACTS]]
    if len(notice.components) > FACTS:
        facts.append({"title": "…", "value": f"and {len(notice.components) - FACTS} more components"})
    body: list[dict[str, Any]] = [
        {
            "type": "Container",
            "style": _STYLES.get(notice.colour, "emphasis"),
            "bleed": True,
            "items": [
                {
                    "type": "TextBlock",
                    "text": clip(notice.heading, 300),
                    "weight": "Bolder",
                    "size": "Medium",
                    "wrap": True,
                },
                {
                    "type": "TextBlock",
                    "text": f"{notice.kind} · {notice.site_name}",
                    "isSubtle": True,
                    "spacing": "None",
                    "wrap": True,
                },
            ],
        },
        {"type": "FactSet", "facts": facts},
    ]
    if notice.body.strip():
        body.append(_text(clip(notice.body, BODY_TEXT)))
    links = f"[Manage subscription]({notice.manage_url}) · [Unsubscribe]({notice.unsubscribe_url})"
    body.append(_text(links, size="Small", isSubtle=True))
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "View incident", "url": notice.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
