"""The catalog tests probe a fake fleet with one provider of each dialect the catalog needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from probes.kit import KEY

from monitors.fakeprovider.provider import ProviderSpec
from monitors.fakeprovider.testing import FakeFleet

FAKE_KINDS = ("openai", "deepseek", "anthropic", "gemini", "azure")


@pytest.fixture(scope="session")
def dialect_fleet() -> Iterator[FakeFleet]:
    with FakeFleet([ProviderSpec(f"{kind}-fake", kind, 0) for kind in FAKE_KINDS], api_key=KEY) as fleet:
        yield fleet
