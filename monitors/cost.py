"""What probing costs: tokens per probe x probes per month x the catalog's price per million tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, FloatField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from monitors.models import Monitor, ProbeResult

SECONDS_PER_MONTH = 30 * 24 * 3600
# Input tokens of the one-word probe prompt with its chat framing, until results carry the provider's
# own count (OpenAI-style counting); flagged as an estimate wherever it is shown.
PROMPT_TOKENS_ESTIMATE = 8
OUTPUT_TOKENS_DEFAULT = 1  # the probes ask for one token; used until results say otherwise
MEASURED_OVER = timedelta(days=1)


@dataclass(frozen=True)
class Tokens:
    input: float
    output: float
    measured: bool  # both counts from the provider's usage in recent results, not the defaults


def probes_per_month(interval_s: int, regions: int = 1) -> float:
    """Scheduled probes in 30 days: every region probes every interval. Callers add extra probes
    (e.g. confirmation re-probes) to this figure before pricing it."""
    return SECONDS_PER_MONTH / max(interval_s, 1) * max(regions, 1)


def monthly_cost(tokens: Tokens, price_per_mtok: dict[str, float], probes: float) -> float:
    """US dollars for `probes` probes of `tokens` each at the given input/output prices per 1M tokens."""
    per_probe = tokens.input * price_per_mtok.get("input", 0.0) + tokens.output * price_per_mtok.get(
        "output", 0.0
    )
    return probes * per_probe / 1_000_000


def price_of(monitor: Monitor) -> dict[str, float] | None:
    price = (monitor.options or {}).get("price_per_mtok")
    return price if isinstance(price, dict) else None


def measured_tokens(monitor_ids: Iterable[int], now: datetime) -> dict[int, tuple[float, float]]:
    """Mean (input, output) tokens per probe from the provider's usage over the last day, per monitor,
    for monitors whose recent results report both."""
    rows = (
        ProbeResult.objects.filter(
            monitor_id__in=list(monitor_ids),
            started_at__gte=now - MEASURED_OVER,
            tokens_out__isnull=False,
            tokens_estimated=False,
            details__has_key="tokens_in",
        )
        .values("monitor_id")
        .annotate(
            tokens_in=Avg(Cast(KeyTextTransform("tokens_in", "details"), FloatField())),
            tokens_out=Avg("tokens_out"),
        )
    )
    return {row["monitor_id"]: (float(row["tokens_in"]), float(row["tokens_out"])) for row in rows}


@dataclass(frozen=True)
class MonitorCost:
    monitor: Monitor
    tokens: Tokens
    probes: float
    usd: float


def costs(monitors: Iterable[Monitor], now: datetime) -> list[MonitorCost]:
    """The monthly cost of each enabled monitor that carries a price (the token-spending probes)."""
    priced = [m for m in monitors if m.enabled and price_of(m) is not None]
    measured = measured_tokens([m.pk for m in priced if m.pk], now)
    found = []
    for monitor in priced:
        seen = measured.get(monitor.pk)
        tokens = (
            Tokens(*seen, measured=True)
            if seen
            else Tokens(PROMPT_TOKENS_ESTIMATE, OUTPUT_TOKENS_DEFAULT, False)
        )
        probes = probes_per_month(monitor.interval_s, len(monitor.regions or []))
        found.append(
            MonitorCost(monitor, tokens, probes, monthly_cost(tokens, price_of(monitor) or {}, probes))
        )
    return found
