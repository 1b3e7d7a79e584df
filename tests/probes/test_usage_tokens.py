"""Chat probes keep the provider's own input-token count (what probe cost is priced from)."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from probes.kit import MODELS, chat_spec, probe_all
from tests.fakefleet import FakeFleet


@pytest.mark.parametrize("provider", MODELS)
def test_input_tokens_come_from_usage_streamed_or_not(fleet: FakeFleet, provider: str) -> None:
    observations = probe_all([chat_spec(fleet, provider, monitor_id=n, stream=n == 1) for n in (0, 1)])
    for observation in observations:
        assert observation.outcome == O.OK, observation.message
        assert observation.details["tokens_in"] > 0
        assert not observation.tokens_estimated
