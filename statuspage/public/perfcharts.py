"""Performance charts drawn on the server as inline SVG: axes, units, gridlines, legend, shaded incidents,
and each step's values shown on hover and keyboard focus by CSS alone (no script needed)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape  # the standard library's: Django's lazy wrapper costs more per call

from statuspage.readmodel.outcome_words import ORDER, WORDS

W, H = 480, 170
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 10, 22
PLOT_W, PLOT_H = W - LEFT - RIGHT, H - TOP - BOTTOM
CHAR_W = 6.4  # average advance of the 10-unit labels (bold included): sizes the value box
Format = Callable[[float], str]
BOLD = ' class="b"'
NONE = "n/a"


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    colour: int  # index into the page's chart palette (--c0 ... --c5)
    dashed: bool = False


@dataclass(frozen=True)
class Shade:
    start: datetime
    end: datetime
    kind: str  # "incident" or "maintenance"
    name: str


@dataclass(frozen=True)
class Axis:
    starts: Sequence[datetime]
    step: timedelta
    shades: Sequence[Shade] = ()

    @property
    def end(self) -> datetime:
        return self.starts[-1] + self.step

    def x(self, index: float) -> float:
        return LEFT + (index + 0.5) * PLOT_W / len(self.starts)

    def x_at(self, moment: datetime) -> float:
        span = (self.end - self.starts[0]).total_seconds()
        share = (moment - self.starts[0]).total_seconds() / span
        return LEFT + min(1.0, max(0.0, share)) * PLOT_W

    def label(self, moment: datetime) -> str:
        return f"{moment:%H:%M}" if self.step < timedelta(days=1) else f"{moment:%b %-d}"

    def when(self, index: int) -> str:
        start = self.starts[index]
        if self.step >= timedelta(days=1):
            return f"{start:%b %-d}"
        return f"{start:%b %-d %H:%M} to {start + self.step:%H:%M} UTC"


def ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def per_second(value: float) -> str:
    return f"{value:.0f} tok/s"


def percent(value: float) -> str:
    return f"{value:.1f}%" if value < 99.95 or value >= 100 else "99.9%"


def line_chart(chart_id: str, title: str, axis: Axis, lines: Sequence[Line], fmt: Format) -> str:
    """A line per series (gaps where a step has no value), its values per step on hover and focus."""
    values = [v for line in lines for v in line.values if v is not None]
    top = _nice_top(max(values, default=0.0))
    ticks = [top * n / 4 for n in range(5)]

    def y(value: float) -> float:
        return TOP + PLOT_H - value / top * PLOT_H

    paths = []
    for line in lines:
        d, pen_down = [], False
        for i, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            d.append(f"{'L' if pen_down else 'M'}{axis.x(i):.1f} {y(value):.1f}")
            pen_down = True
        dots = "".join(
            f'<circle cx="{axis.x(i):.1f}" cy="{y(v):.1f}" r="1.8"/>'
            for i, v in enumerate(line.values)
            if v is not None and _alone(line.values, i)
        )
        dash = " dashed" if line.dashed else ""
        paths.append(f'<g class="ln c{line.colour}{dash}"><path d="{"".join(d)}"/>{dots}</g>')
    columns = []
    for i in range(len(axis.starts)):
        rows = [f"{line.label}: {fmt(v)}" for line in lines if (v := line.values[i]) is not None]
        columns.append(_column(axis, i, rows or ["no successful probes"]))
    grid = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
        f'<text class="yl" x="{LEFT - 4}" y="{y(t) + 3:.1f}">{escape(fmt(t))}</text>'
        for t in ticks
    )
    body = _shades(axis) + grid + _x_labels(axis) + "".join(paths) + "".join(columns)
    return _figure(chart_id, title, body, _legend(lines), _table(axis, title, lines, fmt))


def stacked_chart(chart_id: str, title: str, axis: Axis, mixes: Sequence[Mapping[str, int]]) -> str:
    """Each step's probes by outcome as a bar of 100 %, failure kinds stacked above the successes."""
    present = [o for o in ORDER if any(mix.get(o) for mix in mixes)]
    width = PLOT_W / len(axis.starts) * 0.8
    bars, columns = [], []
    for i, mix in enumerate(mixes):
        total = sum(mix.values())
        if total:
            bottom = TOP + PLOT_H
            for outcome in present:
                share = mix.get(outcome, 0) / total
                if share:
                    height = share * PLOT_H
                    bottom -= height
                    bars.append(
                        f'<rect class="o-{outcome}" x="{axis.x(i) - width / 2:.1f}" y="{bottom:.1f}" '
                        f'width="{width:.1f}" height="{height:.1f}"/>'
                    )
        rows = [
            f"{mix[o] / total * 100:.0f}% {WORDS[o]} ({mix[o]})" for o in present if total and mix.get(o)
        ] or ["no probes"]
        columns.append(_column(axis, i, rows))
    grid = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + PLOT_H * (1 - t):.1f}" '
        f'y2="{TOP + PLOT_H * (1 - t):.1f}"/><text class="yl" x="{LEFT - 4}" '
        f'y="{TOP + PLOT_H * (1 - t) + 3:.1f}">{t * 100:.0f}%</text>'
        for t in (0, 0.25, 0.5, 0.75, 1)
    )
    legend = "".join(
        f'<li><span class="key o-{o}" aria-hidden="true"></span>{escape(WORDS[o])}</li>' for o in present
    )
    table = _mix_table(axis, title, mixes, present)
    body = _shades(axis) + grid + _x_labels(axis) + "".join(bars) + "".join(columns)
    return _figure(chart_id, title, body, f'<ul class="legend">{legend}</ul>', table)


def _alone(values: Sequence[float | None], i: int) -> bool:
    """A value with no neighbour draws no line: a dot shows it."""
    before = i > 0 and values[i - 1] is not None
    after = i + 1 < len(values) and values[i + 1] is not None
    return not (before or after)


def _nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above the value (4 gridlines land well)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * power:
            return factor * power
    return 10 * power


def _column(axis: Axis, i: int, rows: list[str]) -> str:
    """A step's hit area: focusable, labelled with its values, and a box showing them on hover/focus."""
    lines = [axis.when(i), *rows]
    label = escape(f"{lines[0]}: {'; '.join(rows)}")
    box_w = min(W - LEFT - RIGHT, max(len(t) for t in lines) * CHAR_W + 12)
    box_h = 14 * len(lines) + 6
    x = min(max(axis.x(i) - box_w / 2, LEFT), W - RIGHT - box_w)
    band = PLOT_W / len(axis.starts)
    texts = "".join(
        f'<text x="{x + 6:.1f}" y="{TOP + 15 + 14 * n:.1f}"{BOLD if n == 0 else ""}>{escape(t)}</text>'
        for n, t in enumerate(lines)
    )
    return (
        f'<g class="col" tabindex="0" role="img" aria-label="{label}">'
        f'<rect class="hit" x="{axis.x(i) - band / 2:.1f}" y="{TOP}" width="{band:.1f}" height="{PLOT_H}"/>'
        f'<line class="cursor" x1="{axis.x(i):.1f}" x2="{axis.x(i):.1f}" y1="{TOP}" y2="{TOP + PLOT_H}"/>'
        f'<g class="tipbox"><rect x="{x:.1f}" y="{TOP + 2}" width="{box_w:.1f}" height="{box_h}" rx="3"/>'
        f"{texts}</g></g>"
    )


def _shades(axis: Axis) -> str:
    out = []
    for shade in axis.shades:
        x1, x2 = axis.x_at(shade.start), axis.x_at(shade.end)
        if x2 - x1 < 0.5:
            x2 = x1 + 1.5  # a short incident still shows
        out.append(
            f'<rect class="shade {shade.kind}" x="{x1:.1f}" y="{TOP}" width="{x2 - x1:.1f}" '
            f'height="{PLOT_H}"><title>{escape(shade.name)}</title></rect>'
        )
    return "".join(out)


def _x_labels(axis: Axis) -> str:
    n = len(axis.starts)
    every = max(1, math.ceil(n / 5))
    labels = "".join(
        f'<text class="xl" x="{axis.x(i):.1f}" y="{H - 6}">{escape(axis.label(axis.starts[i]))}</text>'
        for i in range(0, n, every)
    )
    base = f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}"/>'
    return base + labels


def _legend(lines: Sequence[Line]) -> str:
    items = "".join(
        f'<li><span class="key c{line.colour}{" dashed" if line.dashed else ""}" aria-hidden="true"></span>'
        f"{escape(line.label)}</li>"
        for line in lines
    )
    return f'<ul class="legend">{items}</ul>'


def _figure(chart_id: str, title: str, body: str, legend: str, table: str) -> str:
    return (
        f'<figure class="perf" id="{chart_id}"><figcaption><h3>{escape(title)}</h3>{legend}</figcaption>'
        f'<svg viewBox="0 0 {W} {H}" role="group" aria-label="{escape(title)}, times in UTC">{body}</svg>'
        f"{table}</figure>"
    )


def _table(axis: Axis, title: str, lines: Sequence[Line], fmt: Format) -> str:
    head = "".join(f"<th scope='col'>{escape(line.label)}</th>" for line in lines)
    rows = "".join(
        f"<tr><th scope='row'>{escape(axis.when(i))}</th>"
        + "".join(
            f"<td>{escape(fmt(v)) if (v := line.values[i]) is not None else NONE}</td>" for line in lines
        )
        + "</tr>"
        for i in range(len(axis.starts))
        if any(line.values[i] is not None for line in lines)
    )
    return _details(title, f"<tr><th scope='col'>Time</th>{head}</tr>", rows)


def _mix_table(axis: Axis, title: str, mixes: Sequence[Mapping[str, int]], present: list[str]) -> str:
    head = "".join(f"<th scope='col'>{escape(WORDS[o])}</th>" for o in present)
    rows = "".join(
        f"<tr><th scope='row'>{escape(axis.when(i))}</th>"
        + "".join(f"<td>{mix.get(o, 0)}</td>" for o in present)
        + "</tr>"
        for i, mix in enumerate(mixes)
        if sum(mix.values())
    )
    return _details(title, f"<tr><th scope='col'>Time</th>{head}</tr>", rows)


def _details(title: str, head: str, rows: str) -> str:
    if not rows:
        return ""
    return (
        f'<details class="values"><summary>{escape(title)}: table of values</summary>'
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(title)} values">'
        f"<table><thead>{head}</thead><tbody>{rows}</tbody></table></div></details>"
    )


STATUS_WORDS = {
    "up": "working",
    "degraded": "degraded",
    "down": "down",
    "unknown": "unknown",
    "none": "no data",
}


def status_of(ms_by_status: Mapping[str, int]) -> str:
    """The worst status that held for any time in the step ("none": nothing observed)."""
    for status in ("down", "degraded", "up", "unknown"):
        if ms_by_status.get(status, 0) > 0:
            return status
    return "none"


def status_strips(chart_id: str, title: str, axis: Axis, strips: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One row of cells per source (ours, the provider's own page), a step per cell: who saw it first."""
    row_h, gap = 18, 8
    height = TOP + len(strips) * (row_h + gap) + BOTTOM
    band = PLOT_W / len(axis.starts)
    cells = []
    for r, (label, statuses) in enumerate(strips):
        y = TOP + r * (row_h + gap)
        cells.append(f'<text class="yl" x="{LEFT - 4}" y="{y + 12}">{escape(label)}</text>')
        for i, status in enumerate(statuses):
            cells.append(
                f'<rect class="st-{status}" x="{LEFT + i * band:.1f}" y="{y}" '
                f'width="{max(band - 1, 0.5):.1f}" height="{row_h}">'
                f"<title>{escape(axis.when(i))}: {STATUS_WORDS[status]}</title></rect>"
            )
    labels = "".join(
        f'<text class="xl" x="{axis.x(i):.1f}" y="{height - 6}">{escape(axis.label(axis.starts[i]))}</text>'
        for i in range(0, len(axis.starts), max(1, math.ceil(len(axis.starts) / 5)))
    )
    words = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{axis.when(i)} {STATUS_WORDS[s]}" for i, s in enumerate(statuses) if s in ("down", "degraded")
        )
        or f"{label}: no trouble"
        for label, statuses in strips
    )
    legend = "".join(
        f'<li><span class="key st-{s}" aria-hidden="true"></span>{STATUS_WORDS[s]}</li>'
        for s in ("up", "degraded", "down", "none")
    )
    return (
        f'<figure class="perf strips" id="{chart_id}"><figcaption><h3>{escape(title)}</h3>'
        f'<ul class="legend">{legend}</ul></figcaption>'
        f'<svg viewBox="0 0 {W} {height}" role="img" aria-label="{escape(words)}">'
        f"{''.join(cells)}{labels}</svg>"
        "</figure>"
    )
