"""Fixed log buckets: exact merges, and percentiles within one bucket of the raw values."""

from __future__ import annotations

import math
import random

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from monitors.history import histogram

latencies = st.floats(min_value=0.01, max_value=600_000, allow_nan=False, allow_infinity=False)


def raw_percentile(values: list[float], q: float) -> float:
    """Nearest rank: the value at rank ceil(q * n) of the sorted values."""
    return sorted(values)[histogram.rank(q, len(values)) - 1]


def histogram_of(values: list[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        index = histogram.bucket(value)
        counts[index] = counts.get(index, 0) + 1
    return counts


@given(st.lists(latencies, min_size=1, max_size=400), st.integers(min_value=1, max_value=12), st.randoms())
@settings(max_examples=200, deadline=None)
def test_percentiles_of_merged_histograms_are_within_one_bucket_of_the_raw_values(values, parts, rnd):
    # Split the values as hours, regions and monitors would, and merge the pieces back.
    pieces = [[] for _ in range(parts)]
    for value in values:
        pieces[rnd.randrange(parts)].append(value)
    merged = histogram.merge(histogram_of(piece) for piece in pieces)
    for q in (0.5, 0.9, 0.95, 0.99, 1.0):
        raw = raw_percentile(values, q)
        low, high = histogram.bounds(histogram.bucket(raw))
        estimate = histogram.percentile(merged, q)
        assert low <= raw < high or raw >= histogram.BOUNDS[-1]
        assert abs(estimate - raw) <= high - low


@given(st.lists(latencies, max_size=300), st.lists(latencies, max_size=300))
def test_merging_is_exact_whatever_the_grouping(a, b):
    assert histogram.merge([histogram_of(a), histogram_of(b)]) == histogram_of(a + b)


def test_a_bucket_is_about_nine_percent_wide():
    for index in range(1, len(histogram.BOUNDS)):
        low, high = histogram.bounds(index)
        assert high / low == pytest.approx(2 ** (1 / 8))


def test_values_beyond_the_bounds_land_in_the_end_buckets():
    assert histogram.bucket(0.0) == 0
    assert histogram.bucket(-5.0) == 0
    assert histogram.bucket(1e12) == len(histogram.BOUNDS)
    assert 0 < histogram.percentile({0: 3}, 0.5) < histogram.BOUNDS[0]
    assert histogram.percentile({len(histogram.BOUNDS): 3}, 0.5) == histogram.BOUNDS[-1]


def test_empty_histogram_has_no_percentile_and_bad_quantiles_are_refused():
    assert histogram.percentile({}, 0.95) is None
    with pytest.raises(ValueError, match="quantile"):
        histogram.percentile({40: 1}, 0)
    with pytest.raises(ValueError, match="quantile"):
        histogram.percentile({40: 1}, 1.5)


def test_json_round_trip_keeps_counts():
    counts = {3: 1, 90: 7}
    assert histogram.from_json(histogram.to_json(counts)) == counts


@pytest.mark.django_db
def test_postgres_width_bucket_puts_every_value_where_python_does():
    # The rebuild buckets in SQL and the write path in Python: they must agree at the very edges.
    edges = [
        b
        for bound in histogram.BOUNDS
        for b in (bound, math.nextafter(bound, 0), math.nextafter(bound, math.inf))
    ]
    rnd = random.Random(8)
    values = [*edges, *(rnd.lognormvariate(6, 3) for _ in range(2000)), 0.0, -1.0, 1e300]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT width_bucket(v, %s::float8[]) "
            "FROM unnest(%s::float8[]) WITH ORDINALITY AS u(v, i) ORDER BY i",
            [list(histogram.BOUNDS), values],
        )
        from_sql = [row[0] for row in cursor.fetchall()]
    assert from_sql == [histogram.bucket(value) for value in values]
