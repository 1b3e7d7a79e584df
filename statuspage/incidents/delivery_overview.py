"""Per update of an incident: how many subscribers were notified, are pending, failed; the dead ones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from statuspage.incidents.models import Incident
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


def for_incident(incident: Incident) -> dict[int, Counts]:
    """update id -> its counts (one grouped query), with the latest dead rows and their error."""
    counts: dict[int, Counts] = defaultdict(Counts)
    rows = (
        Delivery.objects.filter(update__incident=incident)
        .values_list("update_id", "channel", "state")
        .annotate(n=Count("id"))
        .order_by("channel")
    )
    labels = dict(Delivery.Channel.choices)
    for update_id, channel, state, n in rows:
        update_counts = counts[update_id]
        setattr(update_counts, state, getattr(update_counts, state) + n)
        label = labels.get(channel, channel)
        update_counts.by_channel[label] = update_counts.by_channel.get(label, 0) + n
    for update_id, update_counts in counts.items():
        if update_counts.dead:  # a handful of updates per incident: one small query each
            dead = Delivery.objects.filter(update_id=update_id, state=Delivery.State.DEAD)
            update_counts.dead_rows = list(dead.select_related("subscriber").order_by("-id")[:DEAD_SHOWN])
    return dict(counts)
