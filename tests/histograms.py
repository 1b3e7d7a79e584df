"""Histograms as the rollup rows store them (a JSON object keyed by bucket index), for test fixtures."""

from __future__ import annotations

from collections.abc import Mapping


def to_json(histogram: Mapping[int, int]) -> dict[str, int]:
    """The inverse of monitors.history.histogram.from_json: empty buckets left out, in bucket order."""
    return {str(index): count for index, count in sorted(histogram.items()) if count}
