"""The "models now" page ranks chat models as /api/failover.json does: health, success, then speed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.history import histogram
from monitors.models import HourlyRollup, Monitor, Provider
from tests.histograms import to_json

pytestmark = pytest.mark.django_db


def chat_model(provider: str, model: str, status: str, ttft_ms: float, failures: int = 0) -> Monitor:
    owner, _ = Provider.objects.get_or_create(name=provider, slug=provider, base_url="http://127.0.0.1:9")
    monitor = Monitor.objects.create(
        provider=owner, name=f"{provider} {model}", kind="openai", url="http://127.0.0.1:9", model=model,
        status=status, last_probe_at=timezone.now() - timedelta(seconds=10),
    )  # fmt: skip
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    outcomes = {"ok": 100 - failures, "timeout_ttft": failures}
    HourlyRollup.objects.create(
        monitor=monitor, region="eu", hour=hour, probes=100, outcomes=outcomes,
        ttft=to_json({histogram.bucket(ttft_ms): 100 - failures}),
        tps=to_json({histogram.bucket(70): 100 - failures}),
    )  # fmt: skip
    return monitor


def test_chat_models_are_ranked_as_the_failover_api_ranks_them(client):
    chat_model("anthropic", "claude-haiku", "up", 200, failures=59)  # fast, but just back from 41 %
    chat_model("openai", "gpt-4o", "up", 700)
    chat_model("gemini", "gemini-flash", "down", 100)
    html = client.get("/models").content.decode()
    order = [html.index(name) for name in ("gpt-4o", "claude-haiku", "gemini-flash")]
    assert order == sorted(order)
    api = [c["model"] for c in client.get("/api/failover.json").json()["candidates"]]
    assert api == ["gpt-4o", "claude-haiku", "gemini-flash"]
    assert "41.0%" in html and "100.0%" in html and "tok/s" not in html  # the column says the unit
    assert "Healthy" in html and "Down" in html


def test_an_empty_page_says_so(client):
    assert "No chat models are probed yet." in client.get("/models").content.decode()
