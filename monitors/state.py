"""Monitor state machine: pure functions from (state on the row, one result) to the next state.

Each region that probes a monitor keeps its own confirmed status, a pending change and a window of its
recent results. A result is first graded, then votes for a status:

    grade                                   vote
    ok (within the latency thresholds)      up, or degraded when faults fill >= degraded_ratio of
                                            the window (intermittent errors are not "up") and, once
                                            degraded, until they fall below recovered_ratio; while
                                            down, always up (the window holds the outage)
    slow (ttft or total over a threshold)   degraded
    rate_limited                            nothing (counted apart), or degraded when 429s fill
                                            >= throttled_ratio of the window; never down
    any provider fault                      down
    auth / quota / client error (ours)      the region goes unknown at once; monitor flagged
                                            misconfigured (operators are alerted, readers are not)

A vote for the region's current status clears any pending change. Votes for a worse status add up
(the target is the mildest of them), as do votes for a better one (the target is the worst of them);
a vote in the other direction starts over. The region moves when enough votes agree:

    from        to                  votes needed (defaults)
    up          degraded            confirm_degraded          2
    up/degr.    down                confirm_down              2, or confirm_down_intermittent 4
                                    when faults are intermittent: degraded by faults already, or
                                    >= intermittent_runs separate runs of them in the window
                                    (30% errors are degraded, not a flapping "down")
    down/degr.  anything better     confirm_up                3
    unknown     up                  confirm_first             1 (a new monitor has nothing to recover from)
    unknown     degraded / down     as above, consecutive votes for that same status

Leaving down, the run of faults that took the region down is dropped from the window (that outage is
over and must not hold the region at degraded); faults before it, or that kept coming back after it,
still count, so intermittent errors come back degraded.

The monitor's status is the region quorum (`combine`): a strict majority of the regions with evidence
must agree on the kind of trouble (down, or degraded); a majority unhealthy in different ways starts
nothing but holds trouble the monitor already has. A region that is out-voted but failing keeps its own
status on the row and is shown. Stale regions (no result for `stale_intervals` intervals, `expire`)
are unknown and give no evidence; with no evidence at all the monitor is unknown, never green.
Paused monitors never change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitors.outcomes import OURS, THROTTLED, Outcome
from monitors.probes.base import Observation

UP, DEGRADED, DOWN, UNKNOWN, PAUSED = "up", "degraded", "down", "unknown", "paused"
SEVERITY = {UP: 0, DEGRADED: 1, DOWN: 2}
EVIDENCE = frozenset(SEVERITY)

# One letter per result in a region's window.
G_OK, G_SLOW, G_THROTTLED, G_FAULT, G_OURS, G_SILENT = "o", "s", "r", "f", "x", "-"


@dataclass(frozen=True)
class Thresholds:
    confirm_down: int = 2
    confirm_degraded: int = 2
    confirm_up: int = 3
    confirm_first: int = 1
    confirm_down_intermittent: int = 4
    intermittent_runs: int = 2  # separate runs of faults in the window that make errors intermittent
    window: int = 20  # results remembered per region for the ratios
    min_window: int = 5  # no ratio verdict on fewer results than this
    degraded_ratio: float = 0.3  # this share of faults in the window is degraded...
    recent_ratio: float = 0.4  # ...or this share in the recent half of the window (noticed sooner)...
    recovered_ratio: float = 0.1  # ...until it falls below this (hysteresis: no flapping at 30%)
    throttled_ratio: float = 0.5  # this share of 429s in the window is degraded
    slow_ttft_ms: float | None = None  # a success slower than this is graded slow
    slow_total_ms: float | None = None
    stale_intervals: int = 3
    quorum: int | None = None  # regions that must agree; None = a strict majority
    claims: bool = False  # an upstream status page: graded by what it claims, see grade()

    def needed(self, current: str, target: str) -> int:
        if current == UNKNOWN:
            return {UP: self.confirm_first, DEGRADED: self.confirm_degraded, DOWN: self.confirm_down}[target]
        if SEVERITY[target] < SEVERITY[current]:
            return self.confirm_up
        return self.confirm_down if target == DOWN else self.confirm_degraded


@dataclass(frozen=True)
class RegionState:
    status: str = UNKNOWN
    pending_status: str = ""
    pending_count: int = 0
    window: str = ""  # grades, oldest first, at most Thresholds.window long
    last_at: datetime | None = None
    pending_since: datetime | None = None  # the first result of the pending streak
    since: datetime | None = None  # the first result of the streak that confirmed `status`
    run: int = 0  # results since that streak began (the confirming streak included)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "pending_status": self.pending_status,
            "pending_count": self.pending_count,
            "window": self.window,
            "last_at": _iso(self.last_at),
            "pending_since": _iso(self.pending_since),
            "since": _iso(self.since),
            "run": self.run,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> RegionState:
        return cls(
            status=data.get("status", UNKNOWN),
            pending_status=data.get("pending_status", ""),
            pending_count=int(data.get("pending_count", 0)),
            window=data.get("window", ""),
            last_at=_time(data.get("last_at")),
            pending_since=_time(data.get("pending_since")),
            since=_time(data.get("since")),
            run=int(data.get("run", 0)),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class MonitorState:
    status: str
    regions: Mapping[str, RegionState] = field(default_factory=dict)
    misconfigured: str = ""

    def outvoted(self) -> dict[str, str]:
        """Regions that see the monitor worse than the quorum does: recorded and shown, not acted on."""
        mine = SEVERITY.get(self.status, 0)
        return {
            name: r.status for name, r in sorted(self.regions.items()) if SEVERITY.get(r.status, 0) > mine
        }


@dataclass(frozen=True)
class Transition:
    state: MonitorState
    changed: bool  # the monitor's status moved
    reason: str = ""
    region: str = ""
    region_old: str = ""  # the region's status before, when the region moved
    region_changed: bool = False
    since: datetime | None = None  # the first result of the streak that made the move


# An upstream probe (the provider's own Statuspage) reports the page's claim as details["indicator"];
# its monitor (Thresholds.claims) tracks what the provider admits: minor is degraded, major or
# critical is down, and an unreadable page abstains rather than counting as the provider failing.
_CLAIMS = {"none": G_OK, "maintenance": G_OK, "minor": G_SLOW, "major": G_FAULT, "critical": G_FAULT}


def grade(observation: Observation, th: Thresholds) -> str:
    outcome = Outcome(observation.outcome)
    if th.claims:  # what the provider's page claims; a page we could not read claims nothing
        claim = observation.details.get("indicator") if outcome == Outcome.OK else None
        return _CLAIMS.get(claim, G_SILENT)
    if outcome in OURS:
        return G_OURS
    if outcome in THROTTLED:
        return G_THROTTLED
    if outcome == Outcome.SLOW or (outcome == Outcome.OK and _over_thresholds(observation, th)):
        return G_SLOW
    if outcome == Outcome.OK:
        return G_OK
    return G_FAULT


def _over_thresholds(observation: Observation, th: Thresholds) -> bool:
    ttft, total = observation.ttft_ms, observation.total_ms
    return bool(
        (th.slow_ttft_ms is not None and ttft is not None and ttft > th.slow_ttft_ms)
        or (th.slow_total_ms is not None and total is not None and total > th.slow_total_ms)
    )


def vote(window: str, th: Thresholds, current: str = UP) -> str | None:
    """The status the latest result (last letter of `window`) votes for; None abstains.

    While down, a success votes up: the window then holds the outage itself, not intermittent errors.
    """
    latest = window[-1]
    if latest == G_SILENT:
        return None
    if latest == G_FAULT:
        return DOWN
    if latest == G_SLOW:
        return DEGRADED
    if latest == G_THROTTLED:
        ratios = len(window) >= th.min_window
        throttled = window.count(G_THROTTLED) / len(window)
        return DEGRADED if ratios and throttled >= th.throttled_ratio else None
    if current == DOWN:
        return UP
    return DEGRADED if _ratio_degraded(window, th, current == DEGRADED) else UP


def step_region(region: RegionState, letter: str, at: datetime, th: Thresholds) -> RegionState:
    """Advance one region's hysteresis by one graded result."""
    window = (region.window + letter)[-th.window :]
    last_at = at if region.last_at is None or at > region.last_at else region.last_at
    base = replace(region, window=window, last_at=last_at, run=region.run + 1)
    if region.status == PAUSED:
        return base
    if letter == G_OURS:
        return replace(
            base, status=UNKNOWN, pending_status="", pending_count=0, pending_since=None, since=at, run=1
        )
    target = vote(window, th, region.status)
    if target is None:
        return base
    current = region.status
    if target == current:
        return replace(base, pending_status="", pending_count=0, pending_since=None)
    pending, count, pending_since = region.pending_status, region.pending_count, region.pending_since
    if current == UNKNOWN:
        count, pending = (count + 1, target) if pending == target else (1, target)
    elif pending and _same_side(current, pending, target):
        count += 1
        pick = min if SEVERITY[target] > SEVERITY[current] else max
        pending = pick(pending, target, key=SEVERITY.__getitem__)
    else:
        count, pending = 1, target
    if count == 1:
        pending_since = at
    needed = th.needed(current, pending)
    if pending == DOWN and _intermittent(current, window.rstrip(G_FAULT), th):
        needed = max(needed, th.confirm_down_intermittent)
    if count < needed:
        return replace(base, pending_status=pending, pending_count=count, pending_since=pending_since)
    if current == DOWN:
        window = _without_outage_run(window, base.run)  # the outage is over: it no longer counts
        if _ratio_degraded(window, th, already=True):
            pending = max(pending, DEGRADED, key=SEVERITY.__getitem__)
    return replace(
        base, status=pending, pending_status="", pending_count=0, pending_since=None, since=pending_since,
        window=window, run=count,
    )  # fmt: skip


def _intermittent(current: str, before_streak: str, th: Thresholds) -> bool:
    """Faults came and went before this streak: degraded by them already, or several separate runs."""
    if current == DEGRADED and G_FAULT in before_streak:
        return True
    return current != UNKNOWN and _fault_runs(before_streak) >= th.intermittent_runs


def _fault_runs(window: str) -> int:
    return sum(1 for i, c in enumerate(window) if c == G_FAULT and (i == 0 or window[i - 1] != G_FAULT))


def _without_outage_run(window: str, n: int) -> str:
    """Drop the run of faults that took the region down (the first one in its last `n` results);
    faults after it stay: errors that kept coming back while it was down are intermittent."""
    start = max(0, len(window) - n)
    first = window.find(G_FAULT, start)
    if first < 0:
        return window
    end = first
    while end < len(window) and window[end] == G_FAULT:
        end += 1
    return window[:first] + window[end:]


def _ratio_degraded(window: str, th: Thresholds, already: bool = False) -> bool:
    """Faults fill enough of the window (or of its recent half, to notice sooner) to be degraded;
    once degraded, until the window is nearly clean (or fairly clean with a spotless recent half)."""
    if len(window) < th.min_window:
        return False
    recent = window[-th.window // 2 :]
    ratio, recent_ratio = window.count(G_FAULT) / len(window), recent.count(G_FAULT) / len(recent)
    if already:
        return ratio >= th.recovered_ratio and (recent_ratio > 0 or ratio >= 2 * th.recovered_ratio)
    return ratio >= th.degraded_ratio or recent_ratio >= th.recent_ratio


def _same_side(current: str, pending: str, target: str) -> bool:
    worse = SEVERITY[target] > SEVERITY[current]
    return worse == (SEVERITY[pending] > SEVERITY[current])


def combine(region_statuses: list[str], quorum: int | None = None, current: str = UP) -> str:
    """The monitor's status from its regions': a quorum must agree on the kind of trouble.

    A quorum down is down, a quorum degraded is degraded. A quorum that is unhealthy in different
    ways (one region slow, another briefly failing: independent noise) starts nothing, but holds or
    softens trouble the monitor already has (down with only a mixed quorum left is degraded).
    """
    evidence = [s for s in region_statuses if s in EVIDENCE]
    if not evidence:
        return UNKNOWN
    need = min(quorum or len(evidence) // 2 + 1, len(evidence))
    if evidence.count(DOWN) >= need:
        return DOWN
    unhealthy = len(evidence) - evidence.count(UP)
    if unhealthy >= need and (evidence.count(DEGRADED) >= need or current in (DEGRADED, DOWN)):
        return DEGRADED
    return UP


def next_state(state: MonitorState, observation: Observation, th: Thresholds | None = None) -> Transition:
    """Apply one result (from the region it names) to the monitor's state."""
    th = th or Thresholds()
    if state.status == PAUSED:
        return Transition(state, False)
    name = observation.region or "default"
    # The first region to report starts from the monitor's status (a row from before regions).
    region = state.regions.get(name) or RegionState(UNKNOWN if state.regions else state.status)
    letter = grade(observation, th)
    moved = step_region(region, letter, observation.started_at, th)
    regions = {**state.regions, name: moved}
    misconfigured = state.misconfigured
    if letter == G_OURS:
        misconfigured = f"misconfigured: {observation.outcome} {observation.message}".strip()[:300]
    elif misconfigured and not any(r.window.endswith(G_OURS) for r in regions.values()):
        misconfigured = ""
    status = combine([r.status for r in regions.values()], th.quorum, state.status)
    new = MonitorState(status, regions, misconfigured)
    reason = ""
    if moved.status != region.status:
        reason = _reason(name, region.status, moved, letter, misconfigured, len(regions))
    return Transition(
        new, new.status != state.status, reason, name, region.status, moved.status != region.status,
        moved.since,
    )  # fmt: skip


def _reason(name: str, old: str, region: RegionState, letter: str, misconfigured: str, n: int) -> str:
    if letter == G_OURS:
        return misconfigured
    words = {G_OK: "ok", G_SLOW: "slow", G_THROTTLED: "rate limited", G_FAULT: "failed"}
    recent = region.window[-5:]
    where = f" in {name}" if n > 1 or name != "default" else ""
    return f"{old} -> {region.status}{where}: last results {' '.join(words.get(c, c) for c in recent)}"


def expire(
    state: MonitorState, now: datetime, interval: timedelta, th: Thresholds | None = None
) -> Transition:
    """Regions with no result for `stale_intervals` intervals become unknown; so may the monitor."""
    th = th or Thresholds()
    if state.status == PAUSED:
        return Transition(state, False)
    stale = [
        name
        for name, r in state.regions.items()
        if r.status != UNKNOWN and is_stale(r.last_at, interval, now, th)
    ]
    if not stale:
        return Transition(state, False)
    regions = {
        name: replace(
            r, status=UNKNOWN, pending_status="", pending_count=0, pending_since=None, since=now, run=0
        )
        if name in stale
        else r
        for name, r in state.regions.items()
    }
    status = combine([r.status for r in regions.values()], th.quorum, state.status)
    new = replace(state, status=status, regions=regions)
    reason = f"no result for {th.stale_intervals} intervals from {', '.join(sorted(stale))}"
    return Transition(new, new.status != state.status, reason, since=now)


def is_stale(
    last_probe_at: datetime | None, interval: timedelta, now: datetime, th: Thresholds | None = None
) -> bool:
    """No result for `stale_intervals` intervals: the monitor's status is unknown, never green."""
    th = th or Thresholds()
    return last_probe_at is None or now - last_probe_at > interval * th.stale_intervals
