"""The monitor state machine: every transition of the table in monitors/state.py, quorum, staleness."""

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.state import (
    DEGRADED,
    DOWN,
    PAUSED,
    UNKNOWN,
    UP,
    MonitorState,
    RegionState,
    Thresholds,
    combine,
    expire,
    grade,
    next_state,
)

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)
OK, SLOW, FAULT, R429 = Outcome.OK, Outcome.SLOW, Outcome.SERVER_ERROR, Outcome.RATE_LIMITED
AUTH = Outcome.AUTH_ERROR


def obs(outcome, i=0, region="default", **fields) -> Observation:
    return Observation(
        monitor_id=1, outcome=outcome, started_at=T0 + timedelta(seconds=60 * i), region=region, **fields
    )


def run(status: str, outcomes, th: Thresholds | None = None, region="default") -> list[str]:
    state = MonitorState(status)
    seen = []
    for i, outcome in enumerate(outcomes):
        state = next_state(state, obs(outcome, i, region), th).state
        seen.append(state.status)
    return seen


@pytest.mark.parametrize(
    ("start", "outcomes", "expected"),
    [
        # Going down takes two faults in a row; one fault between successes is forgotten.
        (UP, [FAULT], [UP]),
        (UP, [FAULT, FAULT], [UP, DOWN]),
        (UP, [FAULT, OK, FAULT], [UP, UP, UP]),
        # Coming back takes three successes in a row; a fault starts the count over.
        (DOWN, [OK, OK], [DOWN, DOWN]),
        (DOWN, [OK] * 3, [DOWN, DOWN, UP]),
        (DOWN, [OK, OK, FAULT, OK], [DOWN, DOWN, DOWN, DOWN]),
        (DOWN, [OK, OK, FAULT, OK, OK, OK], [DOWN, DOWN, DOWN, DOWN, DOWN, UP]),
        # Slow successes are degraded, after two; they recover like anything else.
        (UP, [SLOW], [UP]),
        (UP, [SLOW, SLOW], [UP, DEGRADED]),
        (DEGRADED, [OK, OK, OK], [DEGRADED, DEGRADED, UP]),
        (DEGRADED, [FAULT, FAULT], [DEGRADED, DOWN]),
        # Worse votes add up to the mildest of them; better votes to the worst of them.
        (UP, [FAULT, SLOW], [UP, DEGRADED]),
        (UP, [SLOW, FAULT], [UP, DEGRADED]),
        (DOWN, [OK, SLOW, OK], [DOWN, DOWN, DEGRADED]),
        # Rate limiting is counted apart: it neither confirms nor interrupts a change.
        (UP, [R429, R429, R429], [UP, UP, UP]),
        (UP, [FAULT, R429, FAULT], [UP, UP, DOWN]),
        (DOWN, [OK, R429, OK, OK], [DOWN, DOWN, DOWN, UP]),
        (UP, [R429] * 5, [UP] * 5),
        # A new (unknown) monitor needs one success to be up, two faults to be down.
        (UNKNOWN, [OK], [UP]),
        (UNKNOWN, [FAULT, FAULT], [UNKNOWN, DOWN]),
        (UNKNOWN, [SLOW, SLOW], [UNKNOWN, DEGRADED]),
        (UNKNOWN, [FAULT, OK], [UNKNOWN, UP]),
        # Our own errors (bad key, quota, bad request) make it unknown at once.
        (UP, [AUTH], [UNKNOWN]),
        (DOWN, [Outcome.QUOTA_EXHAUSTED], [UNKNOWN]),
        (UP, [Outcome.CLIENT_ERROR, OK], [UNKNOWN, UP]),
        # Paused monitors ignore everything.
        (PAUSED, [FAULT, FAULT, OK], [PAUSED, PAUSED, PAUSED]),
    ],
)
def test_transition_table(start, outcomes, expected):
    assert run(start, outcomes) == expected


@pytest.mark.parametrize(
    ("outcomes", "expected_last"),
    [
        # One fault in three, never two in a row: degraded, never down.
        ([OK, OK, FAULT] * 6, DEGRADED),
        # One in ten stays up.
        ([OK] * 9 + [FAULT] + [OK] * 9 + [FAULT], UP),
    ],
)
def test_intermittent_errors_register_as_degraded_through_the_failure_ratio(outcomes, expected_last):
    seen = run(UP, outcomes)
    assert DOWN not in seen
    assert seen[-1] == expected_last


def test_degraded_by_intermittent_faults_needs_a_longer_streak_to_go_down():
    seen = run(UP, [OK, OK, FAULT] * 6 + [FAULT] * 4)
    assert seen[17] == DEGRADED
    assert seen[18:] == [DEGRADED, DEGRADED, DOWN, DOWN]  # the 4th fault in a row (one was at 17)


def test_degraded_by_faults_stays_degraded_until_they_fall_below_the_recovery_ratio():
    seen = run(UP, [OK, OK, FAULT] * 6 + [OK] * 20)
    first_up = seen.index(UP, 18)
    assert 18 + 10 < first_up <= 18 + 20  # the window must empty of faults, not just dip under 30%


def test_a_blip_with_another_fault_during_recovery_comes_back_up_not_degraded():
    """Found by the 200-interval noisy bench: a 5xx next to a timeout, then one more 5xx."""
    seen = run(UP, [OK] * 10 + [FAULT, FAULT, R429, OK, FAULT, OK, OK, OK])
    assert seen[11] == DOWN
    assert seen[-1] == UP


def test_leaving_down_with_intermittent_faults_still_in_the_window_is_degraded():
    seen = run(UP, [OK, OK, FAULT] * 3 + [OK] * 4 + [FAULT] * 5 + [OK] * 3)
    assert seen[-4:] == [DOWN, DOWN, DOWN, DEGRADED]


def test_sustained_rate_limiting_is_degraded_but_never_down():
    seen = run(UP, [R429] * 12)
    assert seen[-1] == DEGRADED
    assert DOWN not in seen


def test_a_burst_of_429s_in_healthy_traffic_changes_nothing():
    assert set(run(UP, [OK] * 7 + [R429] * 3 + [OK] * 7)) == {UP}


def test_recovery_is_not_held_back_by_the_outage_in_the_window():
    seen = run(UP, [FAULT] * 10 + [OK] * 10)
    assert seen[10:] == [DOWN, DOWN, UP] + [UP] * 7


def test_single_timeout_does_not_take_a_monitor_down():
    assert run(UP, [Outcome.TIMEOUT_TTFT, OK]) == [UP, UP]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ttft_ms": 900.0, "total_ms": 1000.0}, "o"),
        ({"ttft_ms": 1500.0, "total_ms": 1600.0}, "s"),
        ({"ttft_ms": 100.0, "total_ms": 9000.0}, "s"),
        ({}, "o"),
    ],
)
def test_latency_and_first_token_thresholds_grade_a_success_slow(fields, expected):
    th = Thresholds(slow_ttft_ms=1000, slow_total_ms=5000)
    assert grade(obs(OK, **fields), th) == expected


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [("none", "o"), ("maintenance", "o"), ("minor", "s"), ("major", "f"), ("critical", "f"), (None, "-")],
)
def test_an_upstream_page_is_graded_by_what_it_claims(indicator, expected):
    details = {"indicator": indicator} if indicator else {}
    assert grade(obs(OK, details=details), Thresholds(claims=True)) == expected


def test_an_unreadable_upstream_page_claims_nothing():
    th = Thresholds(claims=True)
    assert grade(obs(Outcome.SERVER_ERROR), th) == "-"
    assert run(UP, [Outcome.SERVER_ERROR, Outcome.TIMEOUT_CONNECT] * 3, th) == [UP] * 6


def test_an_upstream_page_admitting_an_outage_takes_its_monitor_down_since_the_first_claim():
    th = Thresholds(claims=True)
    state = MonitorState(UP)
    major = {"indicator": "major"}
    state = next_state(state, obs(OK, 0, details=major), th).state
    transition = next_state(state, obs(OK, 1, details=major), th)
    assert (transition.state.status, transition.since) == (DOWN, T0)


def test_a_move_remembers_when_its_streak_began():
    state = next_state(MonitorState(UP), obs(OK, 0)).state
    state = next_state(state, obs(FAULT, 1)).state
    transition = next_state(state, obs(FAULT, 2))
    assert transition.changed
    assert transition.since == T0 + timedelta(seconds=60)


def test_client_side_errors_flag_misconfiguration_with_reason():
    transition = next_state(MonitorState(UP), obs(AUTH, message="401 invalid_api_key"), Thresholds())
    assert transition.changed
    assert "auth_error" in transition.state.misconfigured
    assert "auth_error" in transition.reason


def test_misconfiguration_clears_when_probes_work_again():
    state = next_state(MonitorState(UP), obs(AUTH)).state
    state = next_state(state, obs(OK, 1)).state
    assert (state.status, state.misconfigured) == (UP, "")


def test_thresholds_are_tunable():
    assert run(UP, [FAULT] * 3, Thresholds(confirm_down=3)) == [UP, UP, DOWN]
    assert run(DOWN, [OK] * 2, Thresholds(confirm_up=2)) == [DOWN, UP]


def test_a_region_transition_carries_a_readable_reason():
    state = next_state(MonitorState(UP), obs(FAULT, 0)).state
    transition = next_state(state, obs(FAULT, 1))
    assert transition.changed
    assert transition.reason == "up -> down: last results failed failed"


@pytest.mark.parametrize(
    ("error_rate", "up_share", "max_moves"),
    [((0.01), (0.95, 1.0), 0), (0.05, (0.8, 1.0), 10), (0.3, (0.0, 0.4), 30), (1.0, (0.0, 0.0), 1)],
)
def test_random_errors_settle_instead_of_flapping(error_rate, up_share, max_moves):
    """Seeded, so deterministic: 300 probes at a steady error rate, 20 different seeds. Healthy
    traffic stays up; 30% errors are not reported healthy; nothing flips more than it must."""
    for seed in range(20):
        rng = random.Random(seed)
        seen = run(UP, [FAULT if rng.random() < error_rate else OK for _ in range(300)])
        moves = sum(1 for a, b in pairwise(seen) if a != b)
        assert moves <= max_moves, (seed, moves)
        low, high = up_share
        assert low <= seen[50:].count(UP) / 250 <= high, seed


# --- Region quorum -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regions", "current", "expected"),
    [
        ([UP], UP, UP),
        ([DOWN], UP, DOWN),
        ([DEGRADED], UP, DEGRADED),
        ([UP, UP, DOWN], UP, UP),
        ([UP, DOWN, DOWN], UP, DOWN),
        ([DEGRADED, DEGRADED, UP], UP, DEGRADED),
        ([DEGRADED, DOWN, DOWN], DEGRADED, DOWN),
        # A majority unhealthy in different ways (one slow region, one brief failure) starts nothing...
        ([UP, DEGRADED, DOWN], UP, UP),
        # ...but holds trouble the monitor already has, softened from down to degraded.
        ([UP, DEGRADED, DOWN], DEGRADED, DEGRADED),
        ([UP, DEGRADED, DOWN], DOWN, DEGRADED),
        ([UP, DOWN], UP, UP),  # two regions: one alone cannot decide
        ([DOWN, DOWN], UP, DOWN),
        ([DOWN, UNKNOWN, UNKNOWN], UP, DOWN),  # stale regions give no evidence
        ([UP, UNKNOWN], DOWN, UP),
        ([UNKNOWN, UNKNOWN], UP, UNKNOWN),
        ([], UP, UNKNOWN),
    ],
)
def test_region_quorum(regions, current, expected):
    assert combine(regions, current=current) == expected


def test_a_slow_region_and_a_brief_failure_elsewhere_open_nothing_but_a_real_outage_does():
    state = MonitorState(UP)
    for i in range(3):
        for region in ("eu", "us", "ap"):
            state = next_state(state, obs(OK, i, region)).state
    for i in range(3, 5):
        state = next_state(state, obs(SLOW, i, "ap")).state
    for i in range(5, 7):
        state = next_state(state, obs(FAULT, i, "us")).state
    assert ({r: s.status for r, s in state.regions.items()}, state.status) == (
        {"eu": UP, "us": DOWN, "ap": DEGRADED}, UP,
    )  # fmt: skip
    assert state.outvoted() == {"us": DOWN, "ap": DEGRADED}
    for i in range(5, 7):
        state = next_state(state, obs(FAULT, i, "eu")).state
    assert state.status == DOWN


def test_an_explicit_quorum_overrides_the_majority():
    assert combine([UP, UP, DOWN], quorum=1) == DOWN
    assert combine([UP, DOWN, DOWN], quorum=3) == UP


def test_an_outvoted_failing_region_is_recorded_but_does_not_move_the_monitor():
    state = MonitorState(UP)
    for i in range(3):
        for region in ("eu", "us", "ap"):
            state = next_state(state, obs(OK, i, region)).state
    for i in range(3, 6):
        transition = next_state(state, obs(FAULT, i, "eu"))
        state = transition.state
        if i == 4:
            assert transition.region_changed and not transition.changed
            assert (transition.region, transition.region_old) == ("eu", UP)
    assert state.status == UP
    assert state.outvoted() == {"eu": DOWN}


def test_a_quorum_of_failing_regions_takes_the_monitor_down():
    state = MonitorState(UP)
    for i in range(2):
        for region in ("eu", "us", "ap"):
            state = next_state(state, obs(OK, i, region)).state
    changes = []
    for i in range(2, 4):
        for region in ("eu", "us"):
            transition = next_state(state, obs(FAULT, i, region))
            state = transition.state
            changes.append(transition.changed)
    assert state.status == DOWN
    assert changes == [False, False, False, True]
    assert state.outvoted() == {}


# --- Staleness ---------------------------------------------------------------------------------


def test_no_result_for_three_intervals_is_unknown_never_green():
    region = RegionState(UP, last_at=T0)
    state = MonitorState(UP, {"default": region})
    minute = timedelta(minutes=1)
    assert not expire(state, T0 + 3 * minute, minute).changed
    transition = expire(state, T0 + 3 * minute + timedelta(seconds=1), minute)
    assert transition.changed
    assert transition.state.status == UNKNOWN
    assert "no result for 3 intervals" in transition.reason


def test_a_silent_region_drops_out_of_the_quorum():
    minute = timedelta(minutes=1)
    state = MonitorState(
        UP,
        {
            "eu": RegionState(UP, last_at=T0),
            "us": RegionState(DOWN, last_at=T0 + 10 * minute),
            "ap": RegionState(DOWN, last_at=T0 + 10 * minute),
        },
    )
    assert combine([r.status for r in state.regions.values()]) == DOWN  # the row would already say so
    state = MonitorState(
        UP, {"eu": RegionState(UP, last_at=T0), "us": RegionState(DOWN, last_at=T0 + 10 * minute)}
    )
    transition = expire(state, T0 + 10 * minute, minute)
    assert transition.state.regions["eu"].status == UNKNOWN
    assert transition.state.status == DOWN


def test_a_stale_monitor_comes_back_with_one_success():
    state = MonitorState(UNKNOWN, {"default": RegionState(UNKNOWN, last_at=T0)})
    assert next_state(state, obs(OK, 10)).state.status == UP


def test_region_state_round_trips_through_json():
    region = RegionState(DOWN, DEGRADED, 2, "ffoo", T0, T0 + timedelta(seconds=1), T0 - timedelta(hours=1))
    assert RegionState.from_json(region.as_json()) == region


# --- Properties --------------------------------------------------------------------------------

OUTCOMES = st.sampled_from([OK, SLOW, FAULT, R429, Outcome.TIMEOUT_TTFT, Outcome.STREAM_STALLED])


@settings(max_examples=300)
@given(st.lists(OUTCOMES, max_size=80), st.sampled_from([UP, DOWN, DEGRADED, UNKNOWN]))
def test_no_sequence_flips_status_faster_than_the_thresholds_allow(outcomes, start):
    """Every move is preceded, since the previous move, by at least as many results as it needs;
    going down takes that many faults (429s never count toward down)."""
    th = Thresholds()
    state = MonitorState(start)
    results = faults = 0
    for i, outcome in enumerate(outcomes):
        before = state.status
        state = next_state(state, obs(outcome, i), th).state
        results += 1
        faults += outcome not in (OK, SLOW, R429)
        if state.status != before:
            assert results >= th.needed(before, state.status), (before, state.status)
            if state.status == DOWN:
                assert faults >= th.confirm_down
            results = faults = 0


@given(st.integers(min_value=1, max_value=80), st.booleans())
def test_alternating_results_move_a_healthy_monitor_at_most_once_and_never_down(n, fault_first):
    outcomes = [FAULT if (i % 2 == 0) == fault_first else OK for i in range(n)]
    seen = run(UP, outcomes)
    assert DOWN not in seen
    moves = sum(1 for a, b in zip([UP, *seen], seen, strict=False) if a != b)
    assert moves <= 1


@given(st.integers(min_value=1, max_value=80))
def test_alternating_results_never_bring_a_down_monitor_back(n):
    outcomes = [OK if i % 2 == 0 else FAULT for i in range(n)]
    assert set(run(DOWN, outcomes)) == {DOWN}


@given(st.lists(st.sampled_from([OK, FAULT, SLOW]), min_size=1, max_size=40))
def test_a_single_region_monitor_always_shows_its_region(outcomes):
    state = MonitorState(UP)
    for i, outcome in enumerate(outcomes):
        state = next_state(state, obs(outcome, i)).state
        assert state.status == state.regions["default"].status
