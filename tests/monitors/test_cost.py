"""Probe cost: tokens per probe x probes per month x price; measured tokens replace the default."""

from __future__ import annotations

import pytest
from django.utils import timezone

from monitors import cost
from monitors.models import ProbeResult

PRICE = {"input": 0.15, "output": 0.60}  # dollars per million tokens


def test_probes_per_month_counts_every_region() -> None:
    assert cost.probes_per_month(60) == 43_200
    assert cost.probes_per_month(60, regions=3) == 129_600


def test_monthly_cost_prices_input_and_output_tokens_separately() -> None:
    tokens = cost.Tokens(input=8, output=1, measured=False)
    assert cost.monthly_cost(tokens, PRICE, 1_000_000) == pytest.approx(8 * 0.15 + 1 * 0.60)


def test_extra_probes_are_priced_by_adding_them_to_the_count() -> None:
    """What a caller with extra probes (e.g. confirmation re-probes) does: more probes, same price."""
    tokens = cost.Tokens(8, 1, measured=False)
    base = cost.monthly_cost(tokens, PRICE, cost.probes_per_month(60))
    assert cost.monthly_cost(tokens, PRICE, cost.probes_per_month(60) + 4_320) == pytest.approx(base * 1.1)


def test_a_monitor_without_a_price_costs_nothing_and_is_not_listed(make_monitor) -> None:
    assert cost.costs([make_monitor(kind="models")], timezone.now()) == []


def test_tokens_measured_from_usage_replace_the_estimate(make_monitor) -> None:
    now = timezone.now()
    monitor = make_monitor(options={"price_per_mtok": PRICE}, regions=["eu", "us"])
    [before] = cost.costs([monitor], now)
    assert (before.tokens, before.probes) == (cost.Tokens(8, 1, measured=False), 86_400)
    for n, (tokens_in, tokens_out) in enumerate(((9, 3), (11, 5))):
        ProbeResult.objects.create(
            monitor=monitor, started_at=now.replace(microsecond=n), region="eu", outcome="ok",
            tokens_out=tokens_out, details={"tokens_in": tokens_in},
        )  # fmt: skip
    counted_chunks = {"tokens_out": 40, "tokens_estimated": True, "details": {"tokens_in": 99}}
    ProbeResult.objects.create(monitor=monitor, started_at=now, region="us", outcome="ok", **counted_chunks)
    [after] = cost.costs([monitor], now)
    assert after.tokens == cost.Tokens(10, 4, measured=True)  # chunk counts are not usage: left out
    assert after.usd == pytest.approx(86_400 * (10 * 0.15 + 4 * 0.60) / 1e6)


def test_paused_monitors_cost_nothing(make_monitor) -> None:
    assert cost.costs([make_monitor(options={"price_per_mtok": PRICE}, enabled=False)], timezone.now()) == []
