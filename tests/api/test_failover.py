"""/api/failover.json ranks alternatives by health, then by recent time to first token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.history import histogram
from monitors.models import HourlyRollup, Monitor, Provider
from statuspage.lib import pageversion
from tests.histograms import to_json


def rollup(monitor: Monitor, ttft_ms: float, probes: int = 10, failures: int = 0) -> None:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    HourlyRollup.objects.create(
        monitor=monitor, region="eu", hour=hour, probes=probes,
        outcomes={"ok": probes - failures, **({"server_error": failures} if failures else {})},
        ttft=to_json({histogram.bucket(ttft_ms): probes - failures}),
        total=to_json({histogram.bucket(ttft_ms * 3): probes - failures}),
    )  # fmt: skip


@pytest.fixture
def fleet(db):
    now = timezone.now()

    def monitor(provider: str, model: str, status: str, ttft_ms: float | None, **fields) -> Monitor:
        owner, _ = Provider.objects.get_or_create(name=provider, slug=provider, base_url="http://127.0.0.1:9")
        m = Monitor.objects.create(
            provider=owner, name=f"{provider} {model}", kind=fields.pop("kind", "openai"), url="http://127.0.0.1:9",
            model=model, status=status, **{"last_probe_at": now - timedelta(seconds=10), **fields},
        )  # fmt: skip
        if ttft_ms is not None:
            rollup(m, ttft_ms)
        return m

    return {
        "slow-up": monitor("openai", "gpt-4o", "up", 900),
        "fast-up": monitor("anthropic", "claude-haiku", "up", 250),
        "degraded": monitor("gemini", "gemini-flash", "degraded", 100),
        "down": monitor("deepseek", "deepseek-chat", "down", 50),
        "stale": monitor("mistral", "mistral-small", "up", 80, last_probe_at=now - timedelta(hours=1)),
        "listing": monitor("openai", "", "up", None, kind="models", stream=False),
        "status-page": monitor("openai", "", "up", None, kind="upstream", stream=False),
    }


def ranked(client, **params) -> list[str]:
    response = client.get("/api/failover.json", params)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    return [c["monitor"] for c in response.json()["candidates"]]


def test_healthy_first_then_fastest_first(client, fleet):
    names = ranked(client, capability="chat")
    assert names == [
        "anthropic claude-haiku",  # up, 250 ms to first token
        "openai gpt-4o",  # up, 900 ms
        "gemini gemini-flash",  # degraded beats faster but unhealthy ones
        "mistral mistral-small",  # no result for three intervals: unknown, never green
        "deepseek deepseek-chat",  # down
    ]


def test_the_recommendation_is_the_best_healthy_candidate_with_its_figures(client, fleet):
    data = client.get("/api/failover.json?capability=chat").json()
    best = data["recommended"]
    assert best["provider"] == "anthropic" and best["healthy"] is True and best["rank"] == 1
    assert 220 < best["ttft_p50_ms"] < 280  # within a bucket of 250 ms
    assert best["success_ratio"] == 1.0
    assert data["capability"] == "chat" and data["family"] is None


def test_a_model_family_narrows_the_candidates(client, fleet):
    assert ranked(client, family="claude") == ["anthropic claude-haiku"]
    assert ranked(client, family="llama") == []


def test_capabilities_come_from_the_probe_kind_or_the_monitor_options(client, fleet):
    assert ranked(client, capability="models") == []  # a listing of no particular model is no candidate
    fleet["listing"].model = "gpt-4o-mini"
    fleet["listing"].save()
    pageversion.bump()
    assert ranked(client, capability="models") == ["openai "]
    fleet["slow-up"].options = {"capabilities": ["vision", "chat"]}
    fleet["slow-up"].save()
    assert ranked(client, capability="vision") == ["openai gpt-4o"]


def test_without_parameters_every_model_endpoint_is_ranked_and_status_pages_are_not(client, fleet):
    names = ranked(client)
    assert len(names) == 5 and "openai " not in names  # model listings without a model are not either


def test_failures_lower_the_success_ratio(client, fleet):
    HourlyRollup.objects.filter(monitor=fleet["fast-up"]).delete()
    rollup(fleet["fast-up"], 250, probes=10, failures=4)
    candidates = client.get("/api/failover.json?capability=chat").json()["candidates"]
    assert next(c for c in candidates if c["provider"] == "anthropic")["success_ratio"] == 0.6


@pytest.mark.parametrize("query", ["capability=teleport", "family=Bad Family!", "family=" + "x" * 60])
def test_bad_parameters_are_a_clear_400(client, fleet, query):
    response = client.get("/api/failover.json?" + query)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_a_long_unknown_capability_is_not_echoed_whole(client, fleet):
    response = client.get("/api/failover.json", {"capability": "x" * 5000})
    message = response.json()["error"]["message"]
    assert response.status_code == 400
    assert message.startswith("unknown capability '" + "x" * 60 + "…'; known: chat")
    assert len(message) < 200


def test_the_known_capabilities_in_a_400_are_few_and_short(client, fleet):
    declared = ["a" * 5000] + [f"skill-{n:02}" for n in range(30)]
    fleet["slow-up"].options = {"capabilities": declared}
    fleet["slow-up"].save()
    message = client.get("/api/failover.json?capability=teleport").json()["error"]["message"]
    assert message.startswith(
        "unknown capability 'teleport'; known: " + "a" * 60 + "…, chat, models, skill-00"
    )
    assert message.endswith(", skill-16 and 14 more")  # 34 known, 20 named
    assert len(message) < 500


def test_success_ranks_before_speed(client, fleet):
    """A model just back from 41% success does not outrank one that kept at 100%, however fast."""
    HourlyRollup.objects.filter(monitor=fleet["fast-up"]).delete()
    rollup(fleet["fast-up"], 250, probes=100, failures=59)
    assert ranked(client, capability="chat")[:2] == ["openai gpt-4o", "anthropic claude-haiku"]


def test_the_latest_raw_results_count_before_the_rollups_have_them(client, fleet):
    from monitors.models import ProbeResult

    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=fleet["fast-up"], started_at=timezone.now() - timedelta(seconds=20 + n),
                    region="eu", outcome="overloaded")
        for n in range(20)
    )  # fmt: skip
    best = client.get("/api/failover.json?capability=chat").json()["recommended"]
    assert best["monitor"] == "openai gpt-4o"  # 10 ok and 20 overloaded: 33% success for the faster one
