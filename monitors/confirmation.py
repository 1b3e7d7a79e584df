"""Confirmation probes: a region whose status is about to change is probed again in seconds, not an interval.

A result that leaves a region with a change pending (state.py: votes adding up towards a worse or a
better status) asks for that region to be probed again soon, so that the votes the change needs arrive
seconds apart instead of an interval apart. Confirmation results vote exactly like scheduled ones, and
the regular schedule is untouched:

    the result                                          confirmation (of that monitor, in that region)
    casts the n-th vote for a pending change,           after delays[n - 1], stretched by up to
    n <= len(delays)                                    `jitter` of itself (so an outage across many
                                                        monitors does not come back as one burst)
    casts the n-th vote, n > len(delays)                none: the schedule brings the rest
    confirms the change, votes for the region's         none, and any one still planned is withdrawn
    current status, or abstains
    rate limited (429)                                  none: a throttling provider gets no extra load
    ours (auth, quota, client error)                    none: probing again shows nothing new
    paused                                              none

Budget: at most `cap` confirmation probes per provider in any `window_s` (`allot`, applied when they are
claimed); one over it is dropped and the regular schedule confirms instead, an interval later. The
planned confirmation is a row (models.Confirmation), claimed by the scheduler's tick; the Celery message
that carries the probe is a doorbell: if it is lost, the change waits for the schedule, nothing more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from monitors.state import G_OURS, G_SILENT, G_THROTTLED, RegionState

# Graded results that never ask for a confirmation, whatever they did to the votes.
_NEVER = frozenset({G_THROTTLED, G_OURS, G_SILENT})

Item = TypeVar("Item")


@dataclass(frozen=True)
class Policy:
    delays_s: tuple[float, ...] = (5.0, 10.0)  # after the 1st, 2nd... vote for a pending change
    jitter: float = 0.2  # each delay stretched by up to this share of itself
    cap: int = 30  # confirmation probes per provider...
    window_s: float = 60.0  # ...in any window this long

    @property
    def enabled(self) -> bool:
        return bool(self.delays_s) and self.cap > 0


def plan(
    before: RegionState, after: RegionState, letter: str, now: datetime, policy: Policy, key: str
) -> datetime | None:
    """When to probe this region again to confirm the change `after` has pending, or None.

    `letter` is the result's grade (state.grade), `now` when it was recorded, `key` names the monitor
    and region (it seeds the jitter, so the same result always plans the same time).
    """
    if not policy.enabled or letter in _NEVER or not after.pending_status:
        return None
    if (after.pending_status, after.pending_count) == (before.pending_status, before.pending_count):
        return None  # the result cast no vote for the change: nothing new to confirm
    votes = after.pending_count
    if votes > len(policy.delays_s):
        return None
    delay = policy.delays_s[votes - 1] * (1 + policy.jitter * _unit(f"{key} {votes} {now.isoformat()}"))
    return now + timedelta(seconds=delay)


def _unit(seed: str) -> float:
    """A number in [0, 1) fixed by `seed`: jitter that spreads monitors apart yet replays identically."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def allot(
    due: Iterable[tuple[int, Item]], sent: Mapping[int, int], cap: int
) -> tuple[list[Item], list[Item]]:
    """Split confirmations (provider id, item), earliest first, into those within each provider's budget
    and those over it, given how many each provider was sent in the current window."""
    used = dict(sent)
    kept: list[Item] = []
    dropped: list[Item] = []
    for provider, item in due:
        if used.get(provider, 0) < cap:
            used[provider] = used.get(provider, 0) + 1
            kept.append(item)
        else:
            dropped.append(item)
    return kept, dropped
