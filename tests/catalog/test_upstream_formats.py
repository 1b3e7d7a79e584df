"""Each catalog entry's status page format reads recorded samples, components mapped to ours."""

from __future__ import annotations

import json

import pytest

from monitors import catalog
from monitors.probes.feed import read_feed_claim
from monitors.probes.upstream import read_claim
from tests.catalog.conftest import SAMPLE_OF, SAMPLES

READABLE = [e for e in catalog.entries().values() if e.upstream.readable]
JSON_PAGES = [e for e in READABLE if e.upstream.format != "feed"]


def test_every_readable_page_in_the_catalog_has_a_recorded_sample() -> None:
    assert {e.id for e in READABLE} == set(SAMPLE_OF)


@pytest.mark.parametrize("entry", JSON_PAGES, ids=lambda e: e.id)
def test_the_sample_reads_and_every_mapped_component_is_on_it(entry: catalog.Entry) -> None:
    claim = read_claim(json.loads((SAMPLES / SAMPLE_OF[entry.id]).read_text()))
    assert claim["indicator"] in {"none", "minor", "major", "critical"}
    assert entry.upstream.components, "a page with components maps them to ours"
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


def test_a_feed_whose_newest_incident_is_resolved_claims_nothing_wrong() -> None:
    claim = read_feed_claim((SAMPLES / "feed_openrouter.rss").read_bytes())
    assert (claim["indicator"], claim["description"]) == ("none", "No open incident in the feed")
    assert [i["status"] for i in claim["incidents"]] == ["resolved", "resolved"]
    assert claim["incidents"][0]["name"] == "Elevated errors on the Chat Completions API"


def test_a_feed_whose_newest_incident_is_open_claims_a_minor_problem() -> None:
    claim = read_feed_claim((SAMPLES / "feed_azure.rss").read_bytes())
    assert claim["indicator"] == "minor"
    assert claim["description"] == "Azure OpenAI Service - Increased latency in West Europe"


def test_an_atom_feed_reads_too() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>s</title>
      <entry><id>1</id><title>API errors</title><updated>2026-05-08T10:00:00Z</updated>
      <content type="html">&lt;strong&gt;Identified&lt;/strong&gt; - a bad deploy</content></entry></feed>"""
    claim = read_feed_claim(atom)
    assert (claim["indicator"], claim["incidents"][0]["status"]) == ("minor", "identified")


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>',  # entities: refused
        b"<html><body>not a feed</body></html>",
        b"{}",
    ],
)
def test_what_is_not_a_plain_feed_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match="not"):
        read_feed_claim(body)


@pytest.mark.parametrize(
    "entry", [e for e in catalog.entries().values() if not e.upstream.readable], ids=lambda e: e.id
)
def test_providers_without_a_readable_page_get_no_upstream_monitor(entry: catalog.Entry) -> None:
    assert entry.upstream.format == "none"
