"""record() loads only the monitor fields it uses: a field it reads but did not load costs a query each."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitors.outcomes import Outcome
from monitors.recording import record


def _queries(batch) -> int:
    with CaptureQueriesContext(connection) as captured:
        record(batch)
    return len(captured)


def test_recording_many_monitors_takes_as_many_queries_as_one(make_monitor, observe, base):
    one = [make_monitor(status="up", options={"failures_to_down": 1})]
    many = [make_monitor(status="up", options={"failures_to_down": 1}) for _ in range(5)]
    for monitors, at in ((one, base), (many, base)):  # the first results: no span yet
        record([observe(m, at) for m in monitors])

    later = base + timedelta(minutes=1)  # failures: spans, thresholds and state changes all read
    alone = _queries([observe(m, later, Outcome.SERVER_ERROR) for m in one])
    together = _queries([observe(m, later, Outcome.SERVER_ERROR) for m in many])
    assert together == alone
