"""The OpenAI-compatible probe gives the right outcome for every way the fake provider can fail."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from monitors.probes.base import Observation
from probes.kit import FAULT_CASES, chat_spec, fault_matrix, probe
from tests.fakefleet import FakeFleet


@pytest.fixture(scope="module")
def results(fleet: FakeFleet) -> dict[tuple[str, bool], Observation]:
    return fault_matrix(fleet, "openai-sim", FAULT_CASES, expect_text="pong", max_tokens=5)


@pytest.mark.parametrize(("fault", "stream", "expected"), FAULT_CASES, ids=lambda v: str(v))
def test_fault_gives_outcome(results, fault: str, stream: bool, expected: O) -> None:
    obs = results[fault, stream]
    assert obs.outcome == expected, obs.message


def test_error_type_and_message_come_from_the_provider_body(results) -> None:
    obs = results["quota", False]
    assert obs.http_status == 429
    assert obs.error_type == "insufficient_quota"
    assert obs.message.startswith("HTTP 429: You exceeded your current quota")


def test_streamed_reply_is_measured_from_usage(fleet: FakeFleet) -> None:
    obs = probe(chat_spec(fleet, "openai-sim", stream=True, max_tokens=5, headers={"X-Fake-ITL-Ms": "20"}))
    assert obs.outcome == O.OK
    assert (obs.tokens_out, obs.tokens_estimated) == (5, False)
    assert obs.itl_max_ms > 18
    assert 10 < obs.tokens_per_s < 60  # 4 gaps of 20 ms: 50 tokens/s


def test_without_usage_tokens_are_counted_and_marked_estimated(fleet: FakeFleet) -> None:
    spec = chat_spec(fleet, "openai-sim", stream=True, max_tokens=4, options={"stream_usage": False})
    obs = probe(spec)
    assert (obs.outcome, obs.tokens_out, obs.tokens_estimated) == (O.OK, 4, True)


def test_deepseek_shares_the_openai_probe(fleet: FakeFleet) -> None:
    obs = probe(chat_spec(fleet, "deepseek-sim", stream=True, headers={"X-Fake-Fault": "quota"}))
    assert (obs.outcome, obs.http_status) == (O.QUOTA_EXHAUSTED, 402)


def test_max_completion_tokens_option_replaces_max_tokens(fleet: FakeFleet) -> None:
    spec = chat_spec(fleet, "openai-sim", max_tokens=3, options={"max_tokens_field": "max_completion_tokens"})
    assert probe(spec).tokens_out == 3
