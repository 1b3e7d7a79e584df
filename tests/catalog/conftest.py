"""The catalog tests probe a fake fleet with one provider of each dialect the catalog needs."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from probes.kit import KEY

from monitors.fakeprovider.provider import ProviderSpec
from tests.fakefleet import FakeFleet

FAKE_KINDS = ("openai", "deepseek", "anthropic", "gemini", "azure")
SAMPLES = Path(__file__).parent / "samples"
# The recorded status page each catalog entry's upstream probe reads, by entry id.
SAMPLE_OF = {
    "openai": "incidentio_openai.json",
    "anthropic": "statuspage_anthropic.json",
    "groq": "statuspage_groq.json",
    "deepseek": "statuspage_deepseek.json",
    "openrouter": "feed_openrouter.rss",
    "azure-openai": "feed_azure.rss",
}


@pytest.fixture(scope="session")
def dialect_fleet() -> Iterator[FakeFleet]:
    with FakeFleet([ProviderSpec(f"{kind}-fake", kind, 0) for kind in FAKE_KINDS], api_key=KEY) as fleet:
        yield fleet


@pytest.fixture(scope="session")
def recorded_pages() -> Iterator[str]:
    """The recorded status pages served on loopback, in place of the providers' own."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(SAMPLES)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
