"""The demo scenario: a provider fails, the upstream page admits it late, then all heals.

A behaviour set by hand through the control API wins: the script never overrides it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from monitors.fakeprovider import scenario
from monitors.fakeprovider.faults import Behaviour
from monitors.fakeprovider.fleet import Fleet
from monitors.fakeprovider.provider import Provider, ProviderSpec

NAME = "deepseek-sim"
Scene = Callable[[Provider, aiohttp.ClientSession, "Log"], Awaitable[None]]


class Log:
    """The scenario's log lines, to wait on what it has done so far."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    def lines(self) -> list[str]:
        return [r.getMessage() for r in self._caplog.records if r.name == scenario.__name__]

    def steps(self) -> list[tuple[str, str]]:
        return [
            (r.args[1]["fault"], r.args[1]["upstream_status"])
            for r in self._caplog.records
            if r.name == scenario.__name__ and r.msg.endswith("-> %s")
        ]

    async def until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await asyncio.sleep(0.01)


FULL_OUTAGE = [
    ("overloaded", "operational"),
    ("hang", "operational"),
    ("hang", "partial_outage"),
    ("ok", "partial_outage"),
    ("ok", "operational"),
]


def play(caplog: pytest.LogCaptureFixture, timings: scenario.Timings, scene: Scene) -> Log:
    """Run the scenario on one provider with its control API up, while `scene` acts on it by hand."""
    log = Log(caplog)

    async def main() -> None:
        fleet = Fleet([ProviderSpec(NAME, "deepseek", 0)], "127.0.0.1", 0)
        await fleet.start()
        task = asyncio.create_task(scenario.run(fleet.providers[NAME], timings))
        try:
            async with aiohttp.ClientSession(base_url=fleet.control_url) as control:
                await scene(fleet.providers[NAME], control, log)
        finally:
            task.cancel()
            await fleet.close()

    with caplog.at_level(logging.INFO, logger=scenario.__name__):
        asyncio.run(asyncio.wait_for(main(), timeout=10))
    return log


async def by_hand(control: aiohttp.ClientSession, method: str, path: str, body: object = None) -> None:
    async with control.request(method, path, json=body) as response:
        assert response.status == 200, await response.text()


def test_outage_runs_its_script_then_heals(caplog: pytest.LogCaptureFixture) -> None:
    async def watch(provider: Provider, control: aiohttp.ClientSession, log: Log) -> None:
        await log.until(lambda: len(log.steps()) == len(scenario.SCRIPT))

    log = play(caplog, scenario.Timings(start_s=0, period_s=10, duration_s=0.2), watch)
    assert log.steps() == FULL_OUTAGE


def test_a_fault_set_by_hand_before_the_outage_is_kept_until_healed_by_hand(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def break_then_heal(provider: Provider, control: aiohttp.ClientSession, log: Log) -> None:
        await by_hand(control, "PATCH", f"/providers/{NAME}", {"fault": "server_error"})
        await log.until(lambda: any("skips this outage" in line for line in log.lines()))
        assert provider.behaviour.fault == "server_error"
        assert log.steps() == []
        await by_hand(control, "DELETE", f"/providers/{NAME}/fault")
        await log.until(lambda: len(log.steps()) == len(scenario.SCRIPT))

    log = play(caplog, scenario.Timings(start_s=0.3, period_s=0.6, duration_s=0.2), break_then_heal)
    assert log.steps() == FULL_OUTAGE  # healthy again, so the next outage plays in full


def test_a_fault_set_by_hand_during_the_outage_is_not_overridden(caplog: pytest.LogCaptureFixture) -> None:
    async def break_mid_outage(provider: Provider, control: aiohttp.ClientSession, log: Log) -> None:
        await log.until(lambda: len(log.steps()) == 1)
        await by_hand(control, "PUT", f"/providers/{NAME}", {"fault": "auth"})
        await log.until(lambda: any("changed by hand" in line for line in log.lines()))
        # Past the script's last step (1.2 s), which would have healed the provider.
        await asyncio.sleep(1)
        assert provider.behaviour == Behaviour.from_json({"fault": "auth"})

    # Steps 0.4 s apart or more, so the change by hand lands between two of them on a busy machine.
    log = play(caplog, scenario.Timings(start_s=0, period_s=10, duration_s=1), break_mid_outage)
    assert log.steps() == FULL_OUTAGE[:1]


def test_healed_by_hand_during_the_outage_it_stays_healed_until_the_next_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def heal_mid_outage(provider: Provider, control: aiohttp.ClientSession, log: Log) -> None:
        await log.until(lambda: len(log.steps()) == 3)  # hang, and the upstream page admits it
        await by_hand(control, "DELETE", f"/providers/{NAME}/fault")
        await log.until(lambda: any("changed by hand" in line for line in log.lines()))
        assert provider.behaviour.fault == "ok"
        await log.until(lambda: len(log.steps()) == 3 + len(scenario.SCRIPT))
        assert provider.behaviour == Behaviour()

    log = play(caplog, scenario.Timings(start_s=0, period_s=1.5, duration_s=1), heal_mid_outage)
    assert log.steps() == FULL_OUTAGE[:3] + FULL_OUTAGE
