"""The demo outage: one provider fails for a few minutes on a loop, so the status page visibly changes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from monitors.fakeprovider.faults import Behaviour
from monitors.fakeprovider.provider import Provider

logger = logging.getLogger(__name__)

# (fraction of the outage window, behaviour from then on). Overload first, then timeouts; the upstream
# page admits it late and recovers late, like the real ones do.
SCRIPT: tuple[tuple[float, dict[str, object]], ...] = (
    (0.0, {"fault": "overloaded", "error_rate": 0.6}),
    (0.4, {"fault": "hang", "error_rate": 0.7}),
    (0.6, {"fault": "hang", "error_rate": 0.7, "upstream_status": "partial_outage"}),
    (1.0, {"upstream_status": "partial_outage"}),
    (1.2, {}),
)


@dataclass(frozen=True, slots=True)
class Timings:
    start_s: float = 120.0  # first outage this long after startup
    period_s: float = 900.0  # one outage every period
    duration_s: float = 180.0  # how long the provider fails

    def __post_init__(self) -> None:
        if (
            min(self.start_s, self.period_s, self.duration_s) < 0
            or self.period_s < self.duration_s * SCRIPT[-1][0]
        ):
            raise ValueError(f"scenario timings do not fit: {self}")


async def run(provider: Provider, timings: Timings) -> None:
    """Loop forever; cancel the task to stop. Overrides the provider's behaviour at each step."""
    loop = asyncio.get_running_loop()
    outage_at = loop.time() + timings.start_s
    while True:
        for fraction, step in SCRIPT:
            await asyncio.sleep(max(0.0, outage_at + fraction * timings.duration_s - loop.time()))
            behaviour = Behaviour.from_json(step)
            logger.info("demo scenario: %s -> %s", provider.name, behaviour.as_json())
            await provider.apply(behaviour)
        outage_at += timings.period_s
