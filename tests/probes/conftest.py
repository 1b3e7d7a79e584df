"""Probe tests run real HTTP: a fake provider fleet in a subprocess, and tiny hostile TCP servers."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from probes.kit import KEY, RawServer
from tests.fakefleet import FakeFleet


@pytest.fixture(scope="session")
def fleet() -> Iterator[FakeFleet]:
    # A short beat: keep-alives and slowloris bytes every 0.1 s, so the stall tests see several.
    with FakeFleet(api_key=KEY, beat_s=0.1) as running:
        yield running


@pytest.fixture
def reset_fleet(fleet: FakeFleet) -> Iterator[FakeFleet]:
    """For tests that change a provider's standing behaviour through the control API."""
    yield fleet
    fleet.control.reset()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(serve: Callable[[socket.socket], None]) -> RawServer:
        servers.append(RawServer(serve))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
