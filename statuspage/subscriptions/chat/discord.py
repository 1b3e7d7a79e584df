"""Discord: one embed, its side bar in the impact's colour (discord.com/developers/docs/resources/webhook)."""

from __future__ import annotations

from typing import Any

from statuspage.lib.timefmt import iso_ms
from statuspage.subscriptions.chat.notice import Notice, clip, component_lines

# Discord states each webhook's pace in X-RateLimit-* headers of every answer; the transport reads them.
MIN_INTERVAL_S = 0.0
DESCRIPTION = 2000  # of the embed's 4,096, leaving room within the 6,000 characters of all embeds
FIELD_VALUE = 1024


def payload(notice: Notice) -> dict[str, Any]:
    fields = [
        {"name": "Status", "value": notice.status, "inline": True},
        {"name": "Impact", "value": notice.impact, "inline": True},
    ]
    if notice.components:
        fields.append({"name": "Affected components", "value": component_lines(notice, FIELD_VALUE)})
    fields.append(
        {
            "name": "Subscription",
            "value": clip(
                f"[Manage]({notice.manage_url}) · [Unsubscribe]({notice.unsubscribe_url})", FIELD_VALUE
            ),
        }
    )
    embed = {
        "title": clip(notice.heading, 256),
        "url": notice.url,
        "color": notice.colour_int,
        "fields": fields,
        "footer": {"text": clip(notice.site_name, 2048)},
        "timestamp": iso_ms(notice.at),
    }
    if notice.body.strip():
        embed["description"] = clip(notice.body, DESCRIPTION)
    # No mentions: an incident's text must never ping @everyone or a role.
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}
