"""Render the API's eager artifacts (the v2 documents, the unfiltered failover ranking) for a snapshot."""

from __future__ import annotations

import json
from typing import Any

from statuspage.readmodel import failover
from statuspage.readmodel.current import load
from statuspage.readmodel.freshness import delayed_since
from statuspage.readmodel.v2 import documents
from statuspage.serving import artifacts
from statuspage.serving.artifacts import Artifact
from statuspage.serving.snapshot import Render


def build(render: Render) -> dict[str, Artifact]:
    late = delayed_since(render)
    out = {path: json_artifact(document) for path, document in documents(render.read(load), late).items()}
    out["/api/failover.json"] = json_artifact(failover.ranking(render))
    return out


def json_artifact(document: Any, cache_control: str = artifacts.API_CACHE) -> Artifact:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return artifacts.make(body, artifacts.JSON, cache_control, cors=True)
