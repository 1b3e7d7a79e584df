"""The demo outage: one provider fails for a few minutes on a loop, so the status page visibly changes.

A behaviour set by hand through the control API wins over the script: someone who breaks or heals a
provider to see what happens must not have the demo undo it a minute later. The script changes a
provider only while it shows what the script itself last set, and starts an outage only on a healthy one.
"""

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
    """Loop forever; cancel the task to stop."""
    loop = asyncio.get_running_loop()
    outage_at = loop.time() + timings.start_s
    last_set = provider.behaviour
    while True:
        await _sleep_until(outage_at)
        # Healed by hand mid-outage, the provider keeps the script's upstream claim: still the script's.
        if provider.behaviour in (Behaviour(), last_set.healed()):
            last_set = await _outage(provider, timings, outage_at)
        else:
            logger.info("demo scenario: %s skips this outage: its behaviour was set by hand", provider.name)
        outage_at += timings.period_s


async def _outage(provider: Provider, timings: Timings, outage_at: float) -> Behaviour:
    """Play the script from outage_at; stand aside at the first step that finds a change made by hand.

    Returns the behaviour the script set last.
    """
    last_set = provider.behaviour
    for fraction, step in SCRIPT:
        await _sleep_until(outage_at + fraction * timings.duration_s)
        if provider.behaviour != last_set:
            logger.info("demo scenario: %s was changed by hand; this outage stops here", provider.name)
            return last_set
        last_set = Behaviour.from_json(step)
        logger.info("demo scenario: %s -> %s", provider.name, last_set.as_json())
        await provider.apply(last_set)
    return last_set


async def _sleep_until(deadline: float) -> None:
    await asyncio.sleep(max(0.0, deadline - asyncio.get_running_loop().time()))
