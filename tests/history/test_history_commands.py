"""generate_history and rebuild_rollups: synthetic history goes through the rebuild; bad input is refused."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from monitors.history import partitions
from monitors.models import DailyRollup, HourlyRollup, Monitor, ProbeResult
from tests.history.conftest import snapshot


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generated_history_keeps_raw_results_only_for_recent_days_and_rebuilds_the_same():
    today = partitions.utc_day(timezone.now())
    oldest = partitions.existing().get(today - timedelta(days=2))
    if oldest:  # a test database reused for days has it; this test wants a day without raw results
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{oldest}"')
    output = run(
        "generate_history", "--synthetic", "2", "--days", "3", "--raw-days", "1", "--outage-rate", "1"
    )
    assert "over 3 days for 2 monitors" in output
    monitors = list(Monitor.objects.filter(provider__slug="synthetic"))
    assert len(monitors) == 2 and not any(m.enabled for m in monitors)  # nothing will probe them
    # By the hourly rollups: today's hours reach the daily ones only once they have passed (the fold),
    # so in the first hour of a UTC day today has no daily row yet.
    days = sorted({partitions.utc_day(h) for h in HourlyRollup.objects.values_list("hour", flat=True)})
    assert days == [today - timedelta(days=n) for n in (2, 1, 0)]
    folded_days = set(DailyRollup.objects.values_list("day", flat=True))
    assert folded_days >= {today - timedelta(days=n) for n in (2, 1)}
    # Raw results for the last day, and for any older day that has a partition already (made ahead).
    raw_days = {partitions.utc_day(t) for t in ProbeResult.objects.values_list("started_at", flat=True)}
    assert today in raw_days and today - timedelta(days=2) not in raw_days
    full_day = DailyRollup.objects.filter(day=today - timedelta(days=1))
    assert sum(d.probes for d in full_day) == 2 * 2880  # every 30 s
    assert all(d.down_ms > 0 for d in full_day)  # an outage every day at --outage-rate 1

    generated = (snapshot(HourlyRollup), snapshot(DailyRollup))
    assert "rebuilt" in run("rebuild_rollups")
    assert (snapshot(HourlyRollup), snapshot(DailyRollup)) == generated


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate_history", "--days", "0", "--synthetic", "1"), "--days must be at least 1"),
        (("generate_history", "--monitor", "987654"), "no monitor with id 987654"),
        (("generate_history", "--synthetic", "1", "--seed", "7"), "--seed must be between"),
        (("rebuild_rollups", "--from", "yesterday"), "not a date"),
        (("rebuild_rollups", "--from", "2026-01-02", "--to", "2026-01-01"), "is before"),
        (("rebuild_rollups", "--monitor", "987654"), "no monitor with id 987654"),
    ],
)
def test_bad_arguments_get_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=StringIO())
