"""Confirmation probes: every row of the table in monitors/confirmation.py, the budget, and lost probes."""

from datetime import UTC, datetime, timedelta

import pytest

from monitors.confirmation import Policy, allot, plan
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.state import DEGRADED, DOWN, PAUSED, UP, MonitorState, RegionState, Thresholds, next_state

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)
OK, SLOW, FAULT, R429 = Outcome.OK, Outcome.SLOW, Outcome.SERVER_ERROR, Outcome.RATE_LIMITED
AUTH, QUOTA, CLIENT = Outcome.AUTH_ERROR, Outcome.QUOTA_EXHAUSTED, Outcome.CLIENT_ERROR
STEADY = Policy(delays_s=(5.0, 10.0), jitter=0.0)


def obs(outcome, at: datetime, region="default") -> Observation:
    return Observation(monitor_id=1, outcome=outcome, started_at=at, region=region)


def planned(status: str, outcomes, policy: Policy = STEADY) -> list[float | None]:
    """Feed results one second apart to a region; the delay each one plans, in seconds, or None."""
    state = MonitorState(status, {"default": RegionState(status)})
    delays = []
    for i, outcome in enumerate(outcomes):
        at = T0 + timedelta(seconds=i)
        before = state.regions["default"]
        state = next_state(state, obs(outcome, at)).state
        after = state.regions["default"]
        due = plan(before, after, after.window[-1], at, policy, "1 default")
        delays.append(None if due is None else (due - at).total_seconds())
    return delays


@pytest.mark.parametrize(
    ("start", "outcomes", "expected"),
    [
        # The first vote for a worse status asks for a probe in 5 s; the one that confirms it asks nothing.
        (UP, [FAULT], [5.0]),
        (UP, [FAULT, FAULT], [5.0, None]),
        (UP, [SLOW, SLOW], [5.0, None]),
        # A success after a first fault votes for the current status: nothing left to confirm.
        (UP, [FAULT, OK], [5.0, None]),
        # Recovery needs three votes: confirmations after the first (5 s) and second (10 s), then done.
        (DOWN, [OK, OK, OK], [5.0, 10.0, None]),
        # Votes beyond the delays listed wait for the schedule (four to go down on intermittent faults).
        (
            UP,
            [FAULT, OK, FAULT, OK, FAULT, FAULT, FAULT, FAULT],
            [5.0, None, 5.0, None, 5.0, 10.0, None, None],
        ),
        # Results agreeing with the status ask nothing.
        (UP, [OK, OK], [None, None]),
        (DOWN, [FAULT], [None]),
        # A fault while recovering votes for the current status: the recovery is off, nothing to confirm.
        (DOWN, [OK, OK, FAULT], [5.0, 10.0, None]),
        # Votes in the other direction start over, and so start the delays over.
        (DEGRADED, [OK, FAULT], [5.0, 5.0]),
    ],
)
def test_a_pending_change_is_confirmed_after_the_delay_for_its_vote(start, outcomes, expected):
    assert planned(start, outcomes) == expected


@pytest.mark.parametrize("outcome", [R429, AUTH, QUOTA, CLIENT])
def test_rate_limits_and_our_own_errors_never_ask_for_confirmation(outcome):
    assert planned(UP, [outcome]) == [None]
    assert planned(UP, [FAULT, outcome]) == [5.0, None]  # nor do they keep a pending change's burst going


def test_many_429s_that_vote_degraded_still_ask_for_nothing():
    # Half the window throttled votes degraded; a struggling provider still gets no burst.
    assert planned(UP, [OK] * 5 + [R429] * 5)[-2:] == [None, None]


def test_a_paused_region_asks_for_nothing():
    state = MonitorState(PAUSED, {"default": RegionState(PAUSED)})
    after = next_state(state, obs(FAULT, T0)).state.regions["default"]
    assert plan(RegionState(PAUSED), after, "f", T0, STEADY, "1 default") is None


def test_no_delays_or_no_budget_means_no_confirmations():
    assert planned(UP, [FAULT], Policy(delays_s=())) == [None]
    assert planned(UP, [FAULT], Policy(cap=0)) == [None]


def test_jitter_stretches_each_delay_by_up_to_its_share_the_same_way_every_time():
    policy = Policy(delays_s=(5.0,), jitter=0.2)
    before, after = RegionState(UP), RegionState(UP, pending_status=DOWN, pending_count=1, window="f")
    delays = {
        key: (plan(before, after, "f", T0, policy, key) - T0).total_seconds() for key in map(str, range(200))
    }
    assert all(5.0 <= d < 6.0 for d in delays.values())
    assert max(delays.values()) - min(delays.values()) > 0.8  # spread over the range, not bunched
    assert plan(before, after, "f", T0, policy, "7") - T0 == timedelta(seconds=delays["7"])


def test_the_budget_keeps_each_providers_earliest_within_its_cap():
    due = [(1, "a1"), (2, "b1"), (1, "a2"), (1, "a3"), (2, "b2"), (1, "a4")]
    assert allot(due, {}, cap=2) == (["a1", "b1", "a2", "b2"], ["a3", "a4"])
    assert allot(due, {1: 2, 2: 1}, cap=2) == (["b1"], ["a1", "a2", "a3", "b2", "a4"])


# --- A lost confirmation probe changes nothing but latency ----------------------------------------


def simulate(world, *, confirm: bool, until: float, th: Thresholds | None = None) -> list[tuple[float, str]]:
    """Scheduled probes every 60 s plus the confirmation probes planned (run only when `confirm`: a
    lost probe is one never run); the monitor's status changes as (seconds, status)."""
    state = MonitorState(UP, {"default": RegionState(UP)})
    queue = [float(t) for t in range(0, int(until), 60)]
    changes = []
    while queue:
        queue.sort()
        t = queue.pop(0)
        at = T0 + timedelta(seconds=t)
        before = state.regions["default"]
        transition = next_state(state, obs(world(t), at), th)
        state = transition.state
        if transition.changed:
            changes.append((t, state.status))
        after = state.regions["default"]
        due = plan(before, after, after.window[-1], at, STEADY, "1 default")
        if confirm and due is not None:
            queue.append((due - T0).total_seconds())
    return changes


def outage(start: float, end: float, outcome=FAULT):
    return lambda t: outcome if start <= t < end else OK


@pytest.mark.parametrize(
    "world",
    [outage(90, 600), outage(90, 600, SLOW), outage(130, 1000)],
    ids=["hard outage", "brownout", "late outage"],
)
def test_a_lost_confirmation_changes_nothing_but_latency(world):
    confirmed = simulate(world, confirm=True, until=1200)
    scheduled = simulate(world, confirm=False, until=1200)
    assert [status for _, status in confirmed] == [status for _, status in scheduled]
    assert all(fast <= slow for (fast, _), (slow, _) in zip(confirmed, scheduled, strict=True))
    assert confirmed[0][0] < scheduled[0][0]  # the change itself came sooner


def test_an_outage_is_confirmed_seconds_after_the_first_failure_and_recovery_too():
    changes = simulate(outage(90, 600), confirm=True, until=1200)
    assert changes == [(125.0, DOWN), (615.0, UP)]  # failed at 120 (+5 s); healed at 600 (+5 s, +10 s)
    assert simulate(outage(90, 600), confirm=False, until=1200) == [(180.0, DOWN), (720.0, UP)]


def test_one_failure_between_successes_stays_a_blip_with_confirmations():
    assert simulate(outage(119, 121), confirm=True, until=600) == []
