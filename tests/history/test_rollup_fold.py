"""Daily rollups trail the hourly ones by the fold watermark; every reader of a day sees it whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.history import aggregator, rebuild, upkeep
from monitors.history import reads as history
from monitors.models import DailyRollup, HourlyRollup, RollupProgress
from monitors.recording import record
from statuspage.readmodel import history as public_history


def _catch_up(moment):
    return aggregator.catch_up(moment, timedelta(0))


def test_an_hour_reaches_its_day_when_it_has_passed_and_readers_see_it_before(make_monitor, observe, base):
    monitor = make_monitor()
    record([observe(monitor, base + timedelta(minutes=10)), observe(monitor, base + timedelta(minutes=20))])

    assert _catch_up(base + timedelta(minutes=30)) == 2
    assert aggregator.folded() == base
    assert HourlyRollup.objects.get().probes == 2
    assert not DailyRollup.objects.exists()  # 22:00 has not passed: the day waits for it
    now = base + timedelta(hours=1)
    assert history.daily([monitor.pk], 1, now)[monitor.pk][0].stats.probes == 2
    assert history.bars([monitor.pk], 1, now)[monitor.pk][0].stats.probes == 2
    assert public_history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 2}

    _catch_up(base + timedelta(minutes=61))
    assert aggregator.folded() == base + timedelta(hours=1)
    day = DailyRollup.objects.get()
    assert (day.probes, day.outcomes, sum(day.ttft.values())) == (2, {"ok": 2}, 2)
    # Folded, the hour is read from the day alone: nothing counts twice.
    assert history.daily([monitor.pk], 1, now)[monitor.pk][0].stats.probes == 2
    assert history.bars([monitor.pk], 1, now)[monitor.pk][0].stats.probes == 2
    assert public_history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 2}
    _catch_up(base + timedelta(minutes=62))
    assert DailyRollup.objects.get().probes == 2  # an hour is folded once


def test_span_time_reaching_back_into_a_folded_hour_reaches_its_day_too(
    make_monitor, observe, base, rollups_now
):
    monitor = make_monitor(interval_s=600, status="up")
    record([observe(monitor, base + timedelta(minutes=50))])
    _catch_up(base + timedelta(minutes=61))  # 22:00 is folded
    record([observe(monitor, base + timedelta(minutes=65))])  # up from 22:50 to 23:05
    _catch_up(base + timedelta(minutes=70))

    hours = {h.hour: h.up_ms for h in HourlyRollup.objects.all()}
    assert hours == {base: 600_000, base + timedelta(hours=1): 300_000}
    day = DailyRollup.objects.get()
    assert (day.probes, day.up_ms) == (1, 600_000)  # 23:00 waits for its hour to pass
    assert history.daily([monitor.pk], 1, base + timedelta(minutes=70))[monitor.pk][0].stats.up_ms == 900_000
    # A rebuild with the watermark where it is gives the same rows.
    recorded = rollups_now()
    rebuild.rebuild(base.date(), base.date())
    assert rollups_now() == recorded

    _catch_up(base + timedelta(minutes=121))
    day = DailyRollup.objects.get()
    assert (day.probes, day.up_ms) == (2, 900_000)


def test_rebuilding_a_day_with_hours_not_folded_keeps_them_out_of_the_day(make_monitor, observe, base):
    monitor = make_monitor()
    record([observe(monitor, base + timedelta(minutes=5)), observe(monitor, base + timedelta(minutes=75))])
    _catch_up(base + timedelta(minutes=80))
    assert DailyRollup.objects.get().probes == 1

    rebuild.rebuild(base.date(), base.date())
    assert DailyRollup.objects.get().probes == 1
    assert sorted(HourlyRollup.objects.values_list("probes", flat=True)) == [1, 1]


@pytest.mark.django_db(transaction=True)  # dropping partitions runs outside a transaction
def test_trimming_never_removes_hourly_rollups_not_folded_yet(make_monitor):
    monitor = make_monitor()
    now = timezone.now()
    mark = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=10)
    RollupProgress.objects.update_or_create(pk=1, defaults={"through": now, "folded": mark})
    for hour in (mark - timedelta(hours=1), mark):
        HourlyRollup.objects.create(
            monitor=monitor, region="default", hour=hour, probes=1, outcomes={"ok": 1}
        )

    upkeep.run(now, raw_days=30, hourly_days=2)
    assert list(HourlyRollup.objects.values_list("hour", flat=True)) == [mark]


def test_the_first_feed_run_starts_the_fold_at_the_next_hour(make_monitor, observe, base):
    monitor = make_monitor()
    record([observe(monitor, base + timedelta(minutes=5))])
    RollupProgress.objects.update_or_create(pk=1, defaults={"through": base, "folded": None})  # as migrated

    _catch_up(base + timedelta(minutes=10))
    assert aggregator.folded() == base + timedelta(hours=1)
    assert DailyRollup.objects.get().probes == 1  # written with the hour, as before the watermark
    record([observe(monitor, base + timedelta(minutes=65))])
    _catch_up(base + timedelta(minutes=70))
    assert DailyRollup.objects.get().probes == 1
    _catch_up(base + timedelta(minutes=121))
    assert DailyRollup.objects.get().probes == 2


def test_rebuilding_a_day_folded_into_the_metrics_totals_recounts_them(make_monitor, observe, base):
    monitor = make_monitor()
    record([observe(monitor, base + timedelta(minutes=m)) for m in (5, 10, 15)])
    _catch_up(base + timedelta(hours=3))
    DailyRollup.objects.update(outcomes={"ok": 999})  # a day gone wrong, then folded into the totals
    upkeep.fold_totals(base.date() + timedelta(days=1))
    assert public_history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 999}

    rebuild.rebuild(base.date(), base.date())
    assert public_history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 3}
