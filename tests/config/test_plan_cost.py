"""The plan apply prints ends with the probes' monthly cost, and warns over a budget."""

from __future__ import annotations


def test_the_plan_prices_each_token_spending_monitor_and_the_total(apply_file, keys) -> None:
    out = apply_file("providers:\n  - openai\n  - catalog: anthropic\n    interval: 300\n")
    assert "Probe cost per month (tokens per probe x probes per month x catalog price):" in out
    # 43,200 probes x (8 x $0.15 + 1 x $0.60) / 1M tokens; Anthropic: 8,640 x (8 x $1 + 1 x $5) / 1M
    assert (
        "$  0.0778  OpenAI / OpenAI chat gpt-4o-mini: 8 in + 1 out tokens (estimated) x 43,200 probes" in out
    )
    assert "$  0.1123  Anthropic / Anthropic chat claude-haiku-4-5-20251001" in out
    assert "$  0.1901  total" in out
    assert "WARNING" not in out


def test_a_budget_in_the_file_warns_when_the_configuration_exceeds_it(apply_file, keys) -> None:
    out = apply_file("budget_usd_monthly: 0.05\nproviders:\n  - openai\n")
    assert "WARNING: probes would cost $0.08 a month, over the $0.05 budget" in out


def test_the_budget_setting_applies_when_the_file_names_none(apply_file, keys, settings) -> None:
    settings.PROBE_BUDGET_USD_MONTHLY = 0.01
    assert "over the $0.01 budget" in apply_file("providers:\n  - openai\n")
