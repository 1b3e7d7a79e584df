"""The monitor state machine: every transition of the table in monitors/state.py."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitors.outcomes import Outcome
from monitors.state import DEGRADED, DOWN, PAUSED, UNKNOWN, UP, MonitorState, next_state, vote

FAULT = Outcome.SERVER_ERROR


def run(status: str, outcomes: list[Outcome]) -> list[str]:
    state = MonitorState(status)
    seen = []
    for outcome in outcomes:
        state = next_state(state, outcome).state
        seen.append(state.status)
    return seen


@pytest.mark.parametrize(
    ("start", "outcomes", "expected"),
    [
        (UP, [FAULT], [UP]),
        (UP, [FAULT, FAULT], [UP, DOWN]),
        (UP, [FAULT, Outcome.OK, FAULT], [UP, UP, UP]),
        (DOWN, [Outcome.OK, Outcome.OK], [DOWN, DOWN]),
        (DOWN, [Outcome.OK] * 3, [DOWN, DOWN, UP]),
        (DOWN, [Outcome.OK, Outcome.OK, FAULT, Outcome.OK], [DOWN, DOWN, DOWN, DOWN]),
        (UP, [Outcome.SLOW, Outcome.SLOW], [UP, DEGRADED]),
        (UP, [Outcome.RATE_LIMITED, Outcome.RATE_LIMITED], [UP, DEGRADED]),
        (DEGRADED, [FAULT, FAULT], [DEGRADED, DOWN]),
        (UNKNOWN, [Outcome.OK], [UP]),
        (UNKNOWN, [FAULT, FAULT], [UNKNOWN, DOWN]),
        (UP, [Outcome.AUTH_ERROR], [UNKNOWN]),
        (DOWN, [Outcome.QUOTA_EXHAUSTED], [UNKNOWN]),
        (PAUSED, [FAULT, FAULT, Outcome.OK], [PAUSED, PAUSED, PAUSED]),
    ],
)
def test_transition_table(start, outcomes, expected):
    assert run(start, outcomes) == expected


def test_single_timeout_does_not_take_a_monitor_down():
    assert run(UP, [Outcome.TIMEOUT_TTFT, Outcome.OK]) == [UP, UP]


def test_client_side_errors_flag_misconfiguration_with_reason():
    transition = next_state(MonitorState(UP), Outcome.AUTH_ERROR, "401 invalid_api_key")
    assert transition.changed
    assert "auth_error" in transition.state.misconfigured


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_votes_for_a_known_status(outcome):
    assert vote(outcome) in {UP, DEGRADED, DOWN, UNKNOWN}


@given(st.integers(min_value=1, max_value=60))
def test_alternating_results_never_flip_a_monitor(n):
    outcomes = [FAULT if i % 2 else Outcome.OK for i in range(n)]
    assert set(run(UP, outcomes)) == {UP}
