"""An incident's impact on users in words: the outcome mix, TTFT before and during, regions, first failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from statuspage.public.perfcharts import ms, percent
from statuspage.readmodel import outcome_words
from statuspage.readmodel.incident_impact import Impact


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    at: datetime | None = None  # shown after the text, as the page shows every time


def facts(impact: Impact | None) -> list[Line]:
    if impact is None:
        return []
    if impact.empty:
        return [Line("Probes", "No probe results during this incident.")]
    during, before = impact.during, impact.before
    rate = "n/a" if during.success_rate is None else percent(during.success_rate * 100)
    out = [Line("What probes got", f"{outcome_words.sentence(during.outcomes) or 'all succeeded'}")]
    out.append(Line("Success rate", f"{rate} of {during.probes} probes"))
    if during.ttft_p50 is not None or before.ttft_p50 is not None:
        out.append(Line("Time to first token (p50)", _before_during(before.ttft_p50, during.ttft_p50)))
    elif during.latency_p50 is not None or before.latency_p50 is not None:
        out.append(Line("Latency (p50)", _before_during(before.latency_p50, during.latency_p50)))
    if impact.regions:
        words = ", ".join(f"{region} ({share * 100:.0f}% failed)" for region, share in impact.regions.items())
        out.append(Line("Regions affected", words))
    if (first := impact.first_failure) is not None:
        code = f" {first.http_status}" if first.http_status else ""
        what = outcome_words.WORDS.get(first.outcome, first.outcome)
        out.append(
            Line("First failing probe", f"{first.monitor} in {first.region}: {what}{code}, at", first.at)
        )
    return out


def _before_during(before: float | None, during: float | None) -> str:
    then = ms(before) if before is not None else "no data"
    now = ms(during) if during is not None else "no successful probe"
    return f"{then} in the hour before, {now} during"
