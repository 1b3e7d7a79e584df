"""Each catalog entry's status page format reads recorded samples, components mapped to ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitors import catalog
from monitors.probes.upstream import read_claim

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_OF = {
    "openai": "incidentio_openai.json",
    "anthropic": "statuspage_anthropic.json",
    "groq": "statuspage_groq.json",
    "deepseek": "statuspage_deepseek.json",
}
READABLE = [e for e in catalog.entries().values() if e.upstream.readable]


def test_every_readable_page_in_the_catalog_has_a_recorded_sample() -> None:
    assert {e.id for e in READABLE} == set(SAMPLE_OF)


@pytest.mark.parametrize("entry", READABLE, ids=lambda e: e.id)
def test_the_sample_reads_and_every_mapped_component_is_on_it(entry: catalog.Entry) -> None:
    claim = read_claim(json.loads((SAMPLES / SAMPLE_OF[entry.id]).read_text()))
    assert claim["indicator"] in {"none", "minor", "major", "critical"}
    assert entry.upstream.components, "a readable page maps its components to ours"
    for ours, theirs in entry.upstream.components.items():
        assert theirs in claim["components"], f"{ours} maps to {theirs!r}, which the page does not list"


def test_an_incident_io_page_reads_like_an_atlassian_one() -> None:
    claim = read_claim(json.loads((SAMPLES / "incidentio_openai.json").read_text()))
    assert claim["indicator"] == "minor"
    assert claim["components"]["Chat Completions"] == "degraded_performance"
    assert claim["components"]["Embeddings"] == "operational"
    assert claim["incidents"][0]["name"] == "Increased latency on Chat Completions"


def test_incident_io_status_words_become_statuspage_ones_and_a_missing_indicator_is_derived() -> None:
    page = {
        "status": {"description": ""},
        "components": [{"name": "Chat Completions", "status": "full_outage"}],
    }
    claim = read_claim(page)
    assert claim["components"] == {"Chat Completions": "major_outage"}
    assert claim["indicator"] == "critical"


@pytest.mark.parametrize(
    "entry", [e for e in catalog.entries().values() if not e.upstream.readable], ids=lambda e: e.id
)
def test_pages_without_a_json_api_get_no_upstream_monitor(entry: catalog.Entry) -> None:
    assert entry.upstream.format in {"feed", "none"}
