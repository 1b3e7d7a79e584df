"""The hourly upkeep task: partitions made ahead, hourly rollups trimmed, daily rollups kept forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from monitors.history import partitions
from monitors.models import DailyRollup, HourlyRollup
from monitors.tasks import history_upkeep


@pytest.mark.django_db(transaction=True)
@override_settings(HOURLY_ROLLUP_RETENTION_DAYS=90, RAW_RESULT_RETENTION_DAYS=30)
def test_upkeep_makes_partitions_ahead_and_retires_only_old_hourly_rollups(make_monitor):
    monitor = make_monitor()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for age in (100, 95, 1):
        HourlyRollup.objects.create(
            monitor=monitor, region="default", hour=now - timedelta(days=age), probes=1
        )
        DailyRollup.objects.create(monitor=monitor, region="default", day=(now - timedelta(days=age)).date())

    summary = history_upkeep()

    assert summary["trimmed"] == 2
    assert list(HourlyRollup.objects.values_list("hour", flat=True)) == [now - timedelta(days=1)]
    assert DailyRollup.objects.count() == 3
    today = partitions.utc_day(now)
    assert {today + timedelta(days=n) for n in range(partitions.AHEAD_DAYS + 1)} <= set(partitions.existing())
    assert history_upkeep()["created"] == 0  # a second run finds nothing to do
