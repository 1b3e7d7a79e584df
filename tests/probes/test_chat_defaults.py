"""Chat monitors catch slow answers without being told to: a default slow-TTFT threshold."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from monitors.probes.chat import DEFAULT_SLOW_TTFT_MS
from probes.kit import chat_spec, probe
from tests.fakefleet import FakeFleet


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_a_first_token_after_the_default_threshold_is_slow(fleet: FakeFleet, stream: bool) -> None:
    delay = int(DEFAULT_SLOW_TTFT_MS) + 500
    spec = chat_spec(
        fleet, "openai-sim", stream=stream, ttft_timeout_s=10, timeout_s=12,
        headers={"X-Fake-TTFT-Ms": str(delay)},
    )  # fmt: skip
    assert spec.slow_ttft_ms is None  # the monitor set no threshold of its own

    obs = probe(spec)

    assert obs.outcome == O.SLOW
    assert obs.message.startswith("ttft (") and obs.message.endswith(f" ms) > {DEFAULT_SLOW_TTFT_MS:g} ms")


def test_a_monitors_own_threshold_wins(fleet: FakeFleet) -> None:
    spec = chat_spec(
        fleet, "openai-sim", stream=True, slow_ttft_ms=10_000, ttft_timeout_s=10, timeout_s=12,
        headers={"X-Fake-TTFT-Ms": str(int(DEFAULT_SLOW_TTFT_MS) + 500)},
    )  # fmt: skip
    assert probe(spec).outcome == O.OK
