"""Fixed log-scale histogram buckets: counts merge exactly by addition, percentiles land within one bucket."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping

# Eight buckets per doubling (Prometheus native histograms' schema 3): each bucket is 2**(1/8), about
# 9 % wider than the one below it. The bounds cover 1/16 to 2**24, wide enough for milliseconds
# (0.06 ms to 4.6 hours) and tokens per second alike; values outside land in the two end buckets.
PER_DOUBLING = 8
BOUNDS: tuple[float, ...] = tuple(
    2.0 ** (i / PER_DOUBLING) for i in range(-4 * PER_DOUBLING, 24 * PER_DOUBLING + 1)
)

Histogram = dict[int, int]


def bucket(value: float) -> int:
    """Bucket index: 0 below BOUNDS[0], i for BOUNDS[i-1] <= value < BOUNDS[i], len(BOUNDS) above.

    The same as Postgres' `width_bucket(value, BOUNDS)`, comparison for comparison, so a rebuild in
    SQL lands every value in the bucket the Python write path chose.
    """
    return bisect_right(BOUNDS, value)


def bounds(index: int) -> tuple[float, float]:
    """[low, high) of a bucket; the end buckets are clamped to the outermost bounds."""
    low = BOUNDS[index - 1] if index > 0 else 0.0
    high = BOUNDS[index] if index < len(BOUNDS) else BOUNDS[-1]
    return low, high


def add(into: Histogram, other: Mapping[int, int]) -> Histogram:
    for index, count in other.items():
        into[index] = into.get(index, 0) + count
    return into


def merge(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    merged: Histogram = {}
    for histogram in histograms:
        add(merged, histogram)
    return merged


def from_json(data: Mapping[str, int]) -> Histogram:
    """Stored as a JSON object, whose keys are strings."""
    return {int(index): count for index, count in data.items()}


def to_json(histogram: Mapping[int, int]) -> dict[str, int]:
    return {str(index): count for index, count in sorted(histogram.items()) if count}


def rank(q: float, n: int) -> int:
    """Nearest rank (1-based) of the q-quantile among n sorted values; the epsilon absorbs float error
    such as 0.07 * 100 == 7.000000000000001."""
    return min(n, max(1, math.ceil(q * n - 1e-9)))


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) by nearest rank, interpolated inside its bucket.

    The raw value of rank ceil(q * n) lies in the bucket found here, so the estimate is never more
    than that bucket's width away from it. None for an empty histogram.
    """
    if not 0 < q <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {q}")
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = rank(q, total)
    seen = 0
    for index in sorted(histogram):
        count = histogram[index]
        if count <= 0:
            continue
        if seen + count >= wanted:
            low, high = bounds(index)
            return low + (high - low) * (wanted - seen) / count
        seen += count
    raise AssertionError("unreachable: rank is at most the total count")
