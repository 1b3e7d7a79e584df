"""Per update of an incident: how many subscribers were notified, are pending, failed; the dead ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from statuspage.subscriptions.models import Delivery

DEAD_SHOWN = 20  # per update; the full list is one click away in the deliveries admin


@dataclass
class Counts:
    sent: int = 0
    pending: int = 0
    dead: int = 0
    dead_rows: list[Delivery] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)  # channel label -> messages, every state

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.dead

    @property
    def dead_table_rows(self) -> SafeString:
        """The failed deliveries' table rows (to, channel, attempts, error), escaped; built here rather than
        in a template loop, which costs a hundred times more per row."""
        cells = (
            (d.address, d.get_channel_display(), d.attempts, _shortened(d.last_error)) for d in self.dead_rows
        )
        return format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", cells)


def _shortened(error: str, limit: int = 200) -> str:
    return error if len(error) <= limit else Truncator(error).chars(limit)  # Truncator is slow per call


def for_updates(update_ids: list[int]) -> dict[int, Counts]:
    """update id -> its counts, with the latest dead rows and their error: two queries however many
    deliveries there are, each reading an index of its own (see Delivery.Meta.indexes)."""
    counts: dict[int, Counts] = defaultdict(Counts)
    # Grouped in the index's order (no ORDER BY): a streaming aggregate over an index-only scan.
    rows = (
        Delivery.objects.filter(update_id__in=update_ids)
        .values_list("update_id", "channel", "state")
        .annotate(n=Count("*"))
        .order_by()
    )
    labels = dict(Delivery.Channel.choices)
    for update_id, channel, state, n in sorted(rows, key=lambda row: row[1]):
        update_counts = counts[update_id]
        setattr(update_counts, state, getattr(update_counts, state) + n)
        label = labels.get(channel, channel)
        update_counts.by_channel[label] = update_counts.by_channel.get(label, 0) + n
    for delivery in _latest_dead([update_id for update_id, c in counts.items() if c.dead]):
        counts[delivery.update_id].dead_rows.append(delivery)
    return dict(counts)


def _latest_dead(update_ids: list[int]) -> list[Delivery]:
    """The DEAD_SHOWN newest dead deliveries of each update, newest first, with their subscriber: one query,
    each update's newest read backwards from delivery_dead_by_update."""
    if not update_ids:
        return []
    latest = [
        Delivery.objects.filter(update_id=update_id, state=Delivery.State.DEAD)
        .order_by("-id")
        .values_list("id", flat=True)[:DEAD_SHOWN]
        for update_id in update_ids
    ]
    shown = Delivery.objects.filter(id__in=latest[0].union(*latest[1:], all=True))
    shown = shown.select_related("subscriber").order_by("-id")
    delivery_fields = ("update", "channel", "recipient", "attempts", "last_error")
    address_fields = (
        "subscriber__kind",
        "subscriber__email",
        "subscriber__webhook_url",
        "subscriber__chat_app",
    )
    return list(shown.only(*delivery_fields, *address_fields))  # what Delivery.address reads, and no more
