"""The provider's own status page (Statuspage v2 summary.json or status.json): what it claims, verbatim."""

from __future__ import annotations

import json
from typing import Any

import httpx

from monitors.classify import Verdict
from monitors.outcomes import Outcome
from monitors.probes.base import Observation, ProbeSpec
from monitors.probes.exchange import DOCUMENT, MAX_BODY_BYTES, Call, Exchange, perform
from monitors.probes.feed import read_feed_claim

MAX_ITEMS = 100  # components or incidents kept: bounded details whatever the page holds
# incident.io's own words for a component's state, in pages that are otherwise Statuspage-shaped.
_STATUS_WORDS = {"full_outage": "major_outage", "degraded": "degraded_performance"}
_INDICATORS = {
    "operational": "none", "under_maintenance": "maintenance", "degraded_performance": "minor",
    "partial_outage": "major", "major_outage": "critical",
}  # fmt: skip


async def run(spec: ProbeSpec, client: httpx.AsyncClient) -> Observation:
    """spec.url: the page's JSON URL, or its origin (…/api/v2/summary.json is added). The outcome says
    only whether the page could be read (ok, or malformed...); its claim goes into details:
    {"indicator", "description", "components": {name: status}, "incidents": [...], "maintenances": [...]},
    and with spec.options `component_map` ({our component name: theirs}) "mapped": {ours: their status}.
    Atlassian Statuspage pages and incident.io's Statuspage-compatible ones (OpenAI's) read the same;
    with `format` "feed", spec.url is an RSS or Atom feed, read by monitors/probes/feed.py.
    """
    url = spec.url
    if not url.endswith(".json") and spec.options.get("format") != "feed":
        url = url.rstrip("/") + "/api/v2/summary.json"

    async def handle(ex: Exchange, response: httpx.Response) -> Verdict:
        if not response.is_success:
            return await ex.error_verdict(response)
        body = await ex.read_body(response)
        if ex.over_cap:
            return Verdict(Outcome.MALFORMED, "too_large", f"status page larger than {MAX_BODY_BYTES} bytes")
        feed = spec.options.get("format") == "feed"
        try:
            claim = read_feed_claim(body) if feed else read_claim(json.loads(body))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            what = "an RSS or Atom feed" if feed else "a Statuspage v2 document"
            return Verdict(Outcome.MALFORMED, "unexpected_shape", f"not {what}: {exc}")
        mapping = spec.options.get("component_map") or {}
        claim["mapped"] = {ours: claim["components"][theirs] for ours, theirs in mapping.items()
                           if theirs in claim["components"]}  # fmt: skip
        ex.obs.details.update(claim)
        return Verdict(Outcome.OK, "", f"{claim['indicator']}: {claim['description']}")

    return await perform(spec, client, Call("GET", url, headers=spec.headers), handle, DOCUMENT)


def read_claim(data: Any) -> dict[str, Any]:
    status = data["status"]
    components = {
        str(c["name"]): _STATUS_WORDS.get(str(c["status"]), str(c["status"]))
        for c in (data.get("components") or [])[:MAX_ITEMS]
    }
    indicator = status.get("indicator")
    if indicator is None and components:  # a page that rolls up nothing: its worst component speaks
        indicator = max((_INDICATORS.get(s, "minor") for s in components.values()), key=_SEVERITY.index)
    if not isinstance(indicator, str):
        raise ValueError("status.indicator is missing")
    return {
        "indicator": indicator,
        "description": str(status.get("description") or ""),
        "components": components,
        "incidents": [_event(i) for i in (data.get("incidents") or [])[:MAX_ITEMS]],
        "maintenances": [_event(m) for m in (data.get("scheduled_maintenances") or [])[:MAX_ITEMS]],
    }


_SEVERITY = ["none", "maintenance", "minor", "major", "critical"]


def _event(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item.get(key) for key in ("id", "name", "status", "impact", "created_at")}
