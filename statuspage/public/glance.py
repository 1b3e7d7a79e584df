"""A component's row at a glance: its current figure, a 24-hour sparkline and, in trouble, its error mix."""

from __future__ import annotations

from django.utils.html import escape, format_html

from statuspage.components.models import ComponentStatus
from statuspage.public.perfcharts import ms
from statuspage.readmodel import outcome_words
from statuspage.readmodel.glance import Glance

SPARK_W, SPARK_H = 120, 24
NOTABLE = 2  # failed probes in the window that an operational component still mentions


def render(public_id: str, status: str, glance: Glance) -> str:
    recent = glance.recent
    link = f"/components/{public_id}"
    window = '<span class="quiet">p50, last 10 min</span>'
    if glance.chat and recent.ttft_p50 is not None:
        tps = f" · <b>{recent.tps_p50:.0f}</b> tok/s" if recent.tps_p50 is not None else ""
        figure = f"TTFT <b>{escape(ms(recent.ttft_p50))}</b>{tps} {window}"
    elif recent.latency_p50 is not None:
        figure = f"Latency <b>{escape(ms(recent.latency_p50))}</b> {window}"
    elif recent.probes:
        figure = "<b>No successful probe</b> in the last 10 min"
    else:
        figure = "No probe in the last 10 min"
    mix = ""
    words = outcome_words.sentence(recent.outcomes)
    if words and status != ComponentStatus.OPERATIONAL:
        mix = format_html('<p class="mix-now">Last 10 min: {}.</p>', words)
    elif words and recent.probes - recent.outcomes.get("ok", 0) - recent.outcomes.get("slow", 0) >= NOTABLE:
        # Failing before the status confirms it (several probes in a row must agree): said, not alarmed.
        mix = format_html('<p class="mix-now early">Last 10 min: {}.</p>', words)
    return (
        f'<div class="glance"><p class="now">{figure}</p>'
        f'{_sparkline(glance)}<a class="more" href="{link}">Performance charts</a>'
        f"</div>{mix}"
    )


def _sparkline(glance: Glance) -> str:
    values = glance.spark
    found = [v for v in values if v is not None]
    if not found:
        return ""
    top, low = max(found), min(found)
    spread = (top - low) or top or 1.0
    step = SPARK_W / len(values)
    d, pen = [], False
    for i, v in enumerate(values):
        if v is None:
            pen = False
            continue
        y = SPARK_H - 2 - (v - low) / spread * (SPARK_H - 4)
        d.append(f"{'L' if pen else 'M'}{(i + 0.5) * step:.0f} {y:.0f}")
        pen = True
    what = "Time to first token" if glance.chat else "Latency"
    label = f"{what} p50 per hour, last 24 hours: {ms(low)} to {ms(top)}, latest {ms(found[-1])}"
    dot = "" if len(found) > 1 else f'<circle cx="{d[0][1:].split()[0]}" cy="{d[0].split()[1]}" r="2"/>'
    return (
        f'<svg class="spark" viewBox="0 0 {SPARK_W} {SPARK_H}" role="img" aria-label="{escape(label)}">'
        f'<path d="{"".join(d)}"/>{dot}</svg>'
    )
