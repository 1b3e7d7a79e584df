"""Latency charts drawn on the server as small SVGs: a p50 line over a p50-p95 band, with a text summary."""

from __future__ import annotations

from django.utils.html import escape

from statuspage.readmodel.history import Day, Series

WIDTH, HEIGHT, PAD = 300, 64, 3


def latency_chart(series: list[Series]) -> str:
    """One small chart of each series' hourly p50 (a line each, sharing the y scale), with the latest
    p50 and p95 in words under it and in its label: the figures never depend on seeing the lines."""
    points = [p for s in series for p in s.points]
    top = max(p.p50_ms for p in points) or 1.0
    t0 = min(p.at for p in points).timestamp()
    span = (max(p.at for p in points).timestamp() - t0) or 1.0

    def path(line: Series) -> str:
        coords = (
            (
                PAD + round((p.at.timestamp() - t0) / span * (WIDTH - 2 * PAD)),
                HEIGHT - PAD - round(p.p50_ms / top * (HEIGHT - 2 * PAD)),
            )
            for p in line.points
        )
        return "M" + "L".join(f"{x} {y}" for x, y in coords)

    lines = "".join(f'<path class="l{i}" d="{path(line)}"/>' for i, line in enumerate(series))
    words = "; ".join(
        f"{line.label}: p50 {_ms(line.points[-1].p50_ms)}, p95 {_ms(line.points[-1].p95_ms)}"
        for line in series
    )
    return (
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Hourly p50 over the last 24 hours, latest hour: {escape(words)}">{lines}</svg>'
        f"<figcaption>{escape(words)} (latest hour)</figcaption></figure>"
    )


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def uptime_bar(days: list[Day], component_id: str, name: str) -> str:
    """One cell per day, oldest first. Unremarkable days carry no text (they are most of the page);
    the others carry their uptime and incidents, and the same list is written out for screen readers.
    """
    cells = []
    for day in days:
        if day.level == "ok":
            cells.append("<li>")  # the end tag is optional in HTML; 4,500 cells make it worth leaving out
        elif day.level == "none":
            cells.append('<li class="d-none">')
        else:
            incidents = escape("; ".join(day.incidents))
            cells.append(f'<li class="d-{day.level}" data-u="{pct(day.uptime)}" data-i="{incidents}">')
    remarkable = [d for d in reversed(days) if d.level not in ("ok", "none")]
    words = "; ".join(
        f"{d.date:%b %-d}: {pct(d.uptime)}" + (f", {', '.join(d.incidents)}" if d.incidents else "")
        for d in remarkable
    )
    text = f"Days with downtime or incidents: {words}." if words else "No downtime or incidents in 90 days."
    return (
        f'<ol class="bar" tabindex="0" data-end="{days[-1].date.isoformat()}" '
        f'aria-label="Uptime per day for {escape(name)}, last {len(days)} days" '
        f'aria-describedby="days-{component_id}">{"".join(cells)}</ol>'
        f'<p class="sr-only" id="days-{component_id}">{escape(text)}</p>'
    )


def pct(value: float | None) -> str:
    """Uptime as a percentage, never rounded up to 100 % while there was any downtime."""
    if value is None:
        return "no data"
    return f"{int(value * 10_000) / 100:.2f}%"
