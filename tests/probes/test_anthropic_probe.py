"""The Anthropic probe gives the right outcome for every way the fake provider can fail."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from monitors.probes.base import Observation
from probes.kit import FAULT_CASES, chat_spec, fault_matrix, probe
from tests.fakefleet import FakeFleet


@pytest.fixture(scope="module")
def results(fleet: FakeFleet) -> dict[tuple[str, bool], Observation]:
    return fault_matrix(fleet, "anthropic-sim", FAULT_CASES, expect_text="pong", max_tokens=5)


@pytest.mark.parametrize(("fault", "stream", "expected"), FAULT_CASES, ids=lambda v: str(v))
def test_fault_gives_outcome(results, fault: str, stream: bool, expected: O) -> None:
    obs = results[fault, stream]
    assert obs.outcome == expected, obs.message


def test_overloaded_is_529_overloaded_error(results) -> None:
    obs = results["overloaded", True]
    assert (obs.http_status, obs.error_type, obs.message) == (529, "overloaded_error", "HTTP 529: Overloaded")


def test_spend_limit_is_quota_not_throttling(results) -> None:
    obs = results["quota", False]
    assert (obs.http_status, obs.error_type) == (429, "enforced_spend_limit_reached")


def test_error_event_inside_a_200_stream(results) -> None:
    obs = results["stream_error", True]
    assert (obs.http_status, obs.error_type, obs.message) == (200, "overloaded_error", "Overloaded")


def test_message_start_and_ping_are_not_the_first_token(fleet: FakeFleet) -> None:
    # message_start, content_block_start and a ping arrive with the headers; text comes 100 ms later.
    obs = probe(chat_spec(fleet, "anthropic-sim", stream=True, headers={"X-Fake-TTFT-Ms": "100"}))
    assert obs.outcome == O.OK
    assert obs.ttfb_ms < 50 <= 100 <= obs.ttft_ms < 150


def test_usage_from_message_delta(fleet: FakeFleet) -> None:
    obs = probe(chat_spec(fleet, "anthropic-sim", stream=True, max_tokens=7))
    assert (obs.tokens_out, obs.tokens_estimated) == (7, False)
