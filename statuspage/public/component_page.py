"""The component page: what users of one component feel, range by range, as charts and in words."""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string

from statuspage.public import perfcharts as pc
from statuspage.readmodel import component_performance, outcome_words
from statuspage.readmodel.component_performance import ComponentPerformance
from statuspage.readmodel.performance import RANGES, Figures
from statuspage.serving import artifacts as a
from statuspage.serving.artifacts import Artifact
from statuspage.serving.context import base_context

RANGE_WORDS = {"1h": "1 hour", "24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days"}


def render(public_id: str, range_name: str, now: datetime) -> Artifact | None:
    found = component_performance.load(public_id, RANGES[range_name], now)
    if found is None:
        return None
    perf = found.performance
    context = {
        **base_context(),
        "component": found.component,
        "chat": found.chat,
        "range_name": range_name,
        "range_words": RANGE_WORDS[range_name],
        "ranges": [(name, RANGE_WORDS[name]) for name in RANGES],
        "facts": facts(perf.summary, found.chat),
        "mix": outcome_words.sentence(perf.summary.outcomes),
        "charts": "" if perf.empty else charts(found, now),
        "collecting_since": found.component.created_at if found.component.created_at > perf.start else None,
        "incidents": found.intervals,
        "regional": found.component.regional_notes(),
    }
    return a.make(render_to_string("public/component.html", context), a.HTML, a.PAGE_CACHE)


def facts(f: Figures, chat: bool) -> list[tuple[str, str]]:
    """The range's figures in words, for the summary above the charts."""

    def both(p50: float | None, p95: float | None) -> str:
        return "no successful probe" if p50 is None else f"p50 {pc.ms(p50)}, p95 {pc.ms(p95 or p50)}"

    out = []
    if chat:
        out.append(("Time to first token", both(f.ttft_p50, f.ttft_p95)))
        out.append(
            ("Tokens per second", "no successful probe" if f.tps_p50 is None else f"p50 {f.tps_p50:.0f}")
        )
    out.append(("Total latency", both(f.latency_p50, f.latency_p95)))
    rate = "no probe" if f.success_rate is None else pc.percent(f.success_rate * 100)
    out.append(("Success rate", f"{rate} of {f.probes} probes"))
    return out


def charts(found: ComponentPerformance, now: datetime) -> str:
    perf = found.performance
    shades = [pc.Shade(i.start, i.end or now, i.kind, i.name) for i in found.intervals]
    axis = pc.Axis([b.start for b in perf.buckets], perf.range.step, shades)
    out = []
    if found.chat:
        out.append(pc.line_chart("ttft", "Time to first token", axis, _lines(perf, "ttft"), pc.ms))
    out.append(pc.line_chart("latency", "Total latency", axis, _lines(perf, "latency"), pc.ms))
    if found.chat:
        out.append(pc.line_chart("tps", "Tokens per second (p50)", axis, _lines(perf, "tps"), pc.per_second))
    out.append(pc.line_chart("success", "Success rate", axis, _success(perf), pc.percent))
    out.append(pc.stacked_chart("outcomes", "Outcomes by kind", axis, [b.outcomes for b in perf.buckets]))
    strips = [("Our probes", [pc.status_of(b.ms_by_status) for b in perf.buckets])]
    for provider in found.providers:  # their page is one claim whatever the number of upstream monitors
        strips.append((f"{provider}'s page", [pc.status_of(c.ms_by_status) for c in perf.claims]))
        break
    out.append(pc.status_strips("claims", "Our probes beside the provider's own status page", axis, strips))
    return "".join(out)


def _lines(perf, metric: str) -> list[pc.Line]:
    """p50 and p95 for one region; with several, each region's p50 (p95 would double the lines)."""
    pick = {
        "ttft": (lambda f: f.ttft_p50, lambda f: f.ttft_p95),
        "latency": (lambda f: f.latency_p50, lambda f: f.latency_p95),
        "tps": (lambda f: f.tps_p50, None),
    }[metric]
    p50, p95 = pick
    if perf.regions:
        return [
            pc.Line(f"{region} p50", [p50(b) for b in buckets], n % 6)
            for n, (region, buckets) in enumerate(sorted(perf.regions.items()))
        ]
    lines = [pc.Line("p50", [p50(b) for b in perf.buckets], 0)]
    if p95 is not None:
        lines.append(pc.Line("p95", [p95(b) for b in perf.buckets], 1, dashed=True))
    return lines


def _success(perf) -> list[pc.Line]:
    def rate(f: Figures) -> float | None:
        return None if f.success_rate is None else f.success_rate * 100

    if perf.regions:
        return [
            pc.Line(region, [rate(b) for b in buckets], n % 6)
            for n, (region, buckets) in enumerate(sorted(perf.regions.items()))
        ]
    return [pc.Line("Success rate", [rate(b) for b in perf.buckets], 0)]
