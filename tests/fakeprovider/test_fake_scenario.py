"""The demo scenario: a provider fails, the upstream page admits it late, then all heals."""

from __future__ import annotations

import asyncio
import logging

import pytest

from monitors.fakeprovider import scenario
from monitors.fakeprovider.fleet import Fleet
from monitors.fakeprovider.provider import ProviderSpec


def test_outage_runs_its_script_then_heals(caplog: pytest.LogCaptureFixture) -> None:
    async def one_outage() -> None:
        fleet = Fleet([ProviderSpec("deepseek-sim", "deepseek", 0)], "127.0.0.1", 0)
        await fleet.start()
        timings = scenario.Timings(start_s=0, period_s=10, duration_s=0.2)
        task = asyncio.create_task(scenario.run(fleet.providers["deepseek-sim"], timings))
        while len(caplog.records) < len(scenario.SCRIPT):
            await asyncio.sleep(0.01)
        task.cancel()
        await fleet.close()

    with caplog.at_level(logging.INFO, logger=scenario.__name__):
        asyncio.run(asyncio.wait_for(one_outage(), timeout=5))
    steps = [(record.args[1]["fault"], record.args[1]["upstream_status"]) for record in caplog.records]
    assert steps == [
        ("overloaded", "operational"),
        ("hang", "operational"),
        ("hang", "partial_outage"),
        ("ok", "partial_outage"),
        ("ok", "operational"),
    ]
