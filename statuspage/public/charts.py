"""The uptime bars drawn on the server: a cell per day, the remarkable days also in words."""

from __future__ import annotations

from django.utils.html import escape

from statuspage.readmodel.history import Day


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
