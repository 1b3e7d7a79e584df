"""One fake provider fleet, a real subprocess, shared by the whole session; healthy again after each test."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest

from tests.fakefleet import FakeFleet

KEY = "sk-fake"


@pytest.fixture(scope="session")
def fleet() -> Iterator[FakeFleet]:
    # A short keep-alive / slowloris beat keeps the suite fast.
    with FakeFleet(api_key=KEY, beat_s=0.2) as running:
        yield running


@pytest.fixture(autouse=True)
def healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "fleet" in request.fixturenames:
        request.getfixturevalue("fleet").control.reset()


@pytest.fixture(scope="session")
def openai_client(fleet: FakeFleet) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=fleet.api_base("openai-sim"), api_key=KEY, max_retries=0, timeout=5
    ) as client:
        yield client


@pytest.fixture(scope="session")
def anthropic_client(fleet: FakeFleet) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(
        base_url=fleet.api_base("anthropic-sim"), api_key=KEY, max_retries=0, timeout=5
    ) as client:
        yield client


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One client for the session: building a client (and its TLS context) per request is slow."""
    with httpx.Client(timeout=5) as client:
        yield client
