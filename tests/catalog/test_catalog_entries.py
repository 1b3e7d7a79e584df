"""Every catalog entry's probes pass against the fake fleet speaking its dialect, offline."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from probes.kit import FAST, KEY, probe_all

from monitors import catalog
from monitors.catalog.drafts import Choice, MonitorDraft, drafts
from monitors.outcomes import Outcome
from monitors.probes.base import ProbeSpec
from tests.catalog.conftest import SAMPLE_OF
from tests.fakefleet import FakeFleet

TEMPLATE_VALUES = {"resource": "example", "deployment": "gpt-4o-mini", "model": "local-model"}
REQUIRED = {
    "openai", "anthropic", "gemini", "deepseek", "mistral", "groq", "xai", "openrouter", "together",
    "fireworks", "azure-openai", "vllm", "ollama", "llamacpp", "lmstudio",
}  # fmt: skip


def test_the_catalog_names_every_provider_the_product_promises() -> None:
    assert set(catalog.entries()) >= REQUIRED


@pytest.mark.parametrize("entry", catalog.entries().values(), ids=lambda e: e.id)
def test_each_entry_gives_its_facts_and_marks_what_the_reference_does_not_confirm(
    entry: catalog.Entry,
) -> None:
    assert entry.base_url.startswith(("https://", "http://localhost"))
    assert entry.key_env.endswith("_API_KEY")
    assert entry.slow_ttft_ms > 0, "a slow-TTFT default per provider, never none"
    assert "chat" in entry.probes and "models" in entry.probes
    if not entry.self_hosted:
        assert entry.prices_taken is not None, "prices carry the date they were taken"
        assert entry.is_unverified("prices"), "the reference confirms no price"
        assert entry.upstream.url, "the provider's own status page, even where it has no JSON"


def _loopback(draft: MonitorDraft, fleet: FakeFleet, fake: str, pages: str, entry: catalog.Entry) -> str:
    """The draft's URL with the real API root or health origin swapped for the fake's, and the status
    page for its recorded sample."""
    if draft.role == "upstream":
        return f"{pages}/{SAMPLE_OF[entry.id]}"
    if draft.role == "health":
        return fleet.url(fake) + urlsplit(draft.url).path
    return fleet.api_base(fake)


@pytest.mark.parametrize("entry", catalog.entries().values(), ids=lambda e: e.id)
def test_each_entrys_probes_pass_against_the_fake_in_its_dialect(
    entry: catalog.Entry, dialect_fleet: FakeFleet, recorded_pages: str
) -> None:
    fake = f"{entry.fake_kind}-fake"
    planned = drafts(Choice(entry, values=TEMPLATE_VALUES))
    assert {d.role for d in planned} == {
        p for p in entry.probes if p != "upstream" or entry.upstream.readable
    }
    specs = [
        ProbeSpec(
            monitor_id=number, kind=d.kind, url=_loopback(d, dialect_fleet, fake, recorded_pages, entry),
            model=d.model, stream=d.stream, api_key=KEY, slow_ttft_ms=d.slow_ttft_ms, options=d.options,
            **FAST,
        )
        for number, d in enumerate(planned)
    ]  # fmt: skip
    for draft, observation in zip(planned, probe_all(specs), strict=True):
        assert observation.outcome == Outcome.OK, f"{draft.name}: {observation.outcome} {observation.message}"
        if draft.role == "chat":
            assert observation.ttft_ms is not None and observation.tokens_out
            assert observation.details["tokens_in"] > 0, "input tokens from usage: what prices the probe"


def test_a_template_entry_names_what_it_needs() -> None:
    with pytest.raises(catalog.CatalogError, match="azure-openai needs 'resource'"):
        drafts(Choice(catalog.get("azure-openai")))
