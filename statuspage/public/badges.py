"""SVG badges in the familiar two-part shape: a label on grey, a value on its status colour."""

from __future__ import annotations

from django.utils.html import escape

from statuspage.lib.xmltext import strip_control

COLOURS = {
    "operational": "#1a7f37",
    "none": "#1a7f37",
    "degraded_performance": "#9a6700",
    "minor": "#9a6700",
    "partial_outage": "#bc4c00",
    "major": "#bc4c00",
    "major_outage": "#cf222e",
    "critical": "#cf222e",
    "under_maintenance": "#0969da",
    "maintenance": "#0969da",
    "unknown": "#59636e",
}


def badge(label: str, value: str, colour_key: str) -> str:
    colour = COLOURS.get(colour_key, COLOURS["unknown"])
    label, value = strip_control(label), strip_control(value)  # SVG is XML: one would break the badge
    left, right = _width(label), _width(value)
    total = left + right
    label_e, value_e = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {value_e}"><title>{label_e}: {value_e}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{value_e}</text></g></svg>'
    )


def _width(text: str) -> int:
    # Verdana 11px averages about 7 px a character; wide enough for capitals, padded 10 px a side.
    return int(len(text) * 7 + 20)
