"""Monitor state machine: a pure function from (state on the row, one outcome) to the next state.

Each outcome votes for a target status:

    ok                                   -> up
    slow, rate_limited                   -> degraded
    any provider fault                   -> down
    auth_error, quota_exhausted,
    client_error (ours, not theirs)      -> unknown, at once, flagged misconfigured

A vote for the current status clears any pending change. A vote for another status starts or extends
a pending change, and the status moves only when `confirm[target]` votes in a row agree:

    target      votes needed (defaults)
    down        2
    degraded    2
    up          3 (1 when coming from unknown: a new monitor has nothing to recover from)

Paused monitors never change here; staleness (no result for a while) is `is_stale`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitors.outcomes import OURS, SUCCESS, THROTTLED, Outcome

UP, DEGRADED, DOWN, UNKNOWN, PAUSED = "up", "degraded", "down", "unknown", "paused"


@dataclass(frozen=True)
class Thresholds:
    confirm: dict[str, int] = field(default_factory=lambda: {DOWN: 2, DEGRADED: 2, UP: 3})
    stale_intervals: int = 3


@dataclass(frozen=True)
class MonitorState:
    status: str
    pending_status: str = ""
    pending_count: int = 0
    misconfigured: str = ""


@dataclass(frozen=True)
class Transition:
    state: MonitorState
    changed: bool
    reason: str


def vote(outcome: Outcome) -> str:
    if outcome == Outcome.OK:
        return UP
    if outcome in SUCCESS or outcome in THROTTLED:
        return DEGRADED
    if outcome in OURS:
        return UNKNOWN
    return DOWN


def next_state(
    state: MonitorState, outcome: Outcome, message: str = "", th: Thresholds | None = None
) -> Transition:
    th = th or Thresholds()
    if state.status == PAUSED:
        return Transition(state, False, "")
    target = vote(outcome)
    if target == UNKNOWN:
        reason = f"misconfigured: {outcome} {message}".strip()[:300]
        new = MonitorState(UNKNOWN, misconfigured=reason)
        return Transition(new, state.status != UNKNOWN, reason)
    if target == state.status:
        return Transition(MonitorState(state.status), False, "")
    count = state.pending_count + 1 if state.pending_status == target else 1
    needed = 1 if (state.status == UNKNOWN and target == UP) else th.confirm[target]
    if count < needed:
        return Transition(
            replace(state, pending_status=target, pending_count=count, misconfigured=""), False, ""
        )
    reason = f"{count} consecutive {outcome} results" if count > 1 else f"{outcome}"
    return Transition(MonitorState(target), True, reason)


def is_stale(
    last_probe_at: datetime | None, interval: timedelta, now: datetime, th: Thresholds | None = None
) -> bool:
    """No result for `stale_intervals` intervals: the monitor's status is unknown, never green."""
    th = th or Thresholds()
    return last_probe_at is None or now - last_probe_at > interval * th.stale_intervals
