"""/metrics counters read running totals for final days and daily rollups only for the days since."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from monitors.history import histogram, upkeep
from monitors.models import DailyRollup, RollupTotal
from statuspage.readmodel import history


def _day(monitor, day, ok, errors=0, region="default"):
    return DailyRollup.objects.create(
        monitor=monitor, region=region, day=day, probes=ok + errors,
        outcomes={"ok": ok, **({"server_error": errors} if errors else {})},
        total=histogram.to_json({histogram.bucket(400): ok}),
        ttft=histogram.to_json({histogram.bucket(200): ok}),
    )  # fmt: skip


def test_folding_final_days_keeps_every_counter_and_stops_reading_their_rows(make_monitor):
    monitor, other = make_monitor(), make_monitor()
    today = timezone.now().date()
    for age, ok, errors in ((100, 50, 5), (60, 40, 0), (2, 10, 1)):
        _day(monitor, today - timedelta(days=age), ok, errors)
        _day(monitor, today - timedelta(days=age), ok, region="eu")
    _day(other, today - timedelta(days=100), 7)
    ids = [monitor.pk, other.pk]
    before = (history.outcome_totals(ids), history.latency_buckets(ids), history.ttft_buckets(ids))
    assert before[0][monitor.pk] == {"ok": 200, "server_error": 6}

    assert upkeep.fold_totals(today - timedelta(days=30)) == 3  # (monitor, default), (monitor, eu), other
    assert (history.outcome_totals(ids), history.latency_buckets(ids), history.ttft_buckets(ids)) == before
    assert upkeep.fold_totals(today - timedelta(days=30)) == 0  # twice is harmless

    # Folded days are read from the totals: a change to their rows no longer shows.
    DailyRollup.objects.filter(day=today - timedelta(days=100)).update(outcomes={"ok": 10**6})
    assert history.outcome_totals(ids) == before[0]
    assert set(RollupTotal.objects.values_list("through", flat=True)) == {today - timedelta(days=30)}


def test_a_later_fold_adds_to_the_totals(make_monitor):
    monitor = make_monitor()
    today = timezone.now().date()
    _day(monitor, today - timedelta(days=50), 5, 1)
    upkeep.fold_totals(today - timedelta(days=40))
    _day(monitor, today - timedelta(days=35), 3)
    upkeep.fold_totals(today - timedelta(days=30))
    total = RollupTotal.objects.get()
    assert (total.through, total.outcomes) == (today - timedelta(days=30), {"ok": 8, "server_error": 1})
    assert history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 8, "server_error": 1}


def test_upkeep_folds_every_day_before_yesterday_so_a_scrape_reads_two_days(make_monitor):
    monitor = make_monitor()
    today = timezone.now().date()
    for age in (100, 10, 2, 1, 0):
        _day(monitor, today - timedelta(days=age), 1)
    assert upkeep.totals_bound(today, None) == today - timedelta(days=1)

    upkeep.fold_totals(upkeep.totals_bound(today, None))
    total = RollupTotal.objects.get()
    assert (total.through, total.outcomes) == (today - timedelta(days=1), {"ok": 3})
    assert history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 5}


def test_the_bound_never_passes_the_hours_folded_into_days(make_monitor):
    today = timezone.now().date()
    behind = timezone.now() - timedelta(days=4)  # a feed four days behind
    assert upkeep.totals_bound(today, behind) == behind.date()


def test_a_rewrite_of_folded_days_recounts_the_totals(make_monitor):
    monitor = make_monitor()
    today = timezone.now().date()
    _day(monitor, today - timedelta(days=5), 5)
    upkeep.fold_totals(today - timedelta(days=1))
    # A backfill behind the bound, and a rebuild that changes a folded day:
    _day(monitor, today - timedelta(days=50), 7, 2)
    DailyRollup.objects.filter(day=today - timedelta(days=5)).update(outcomes={"ok": 4})
    assert upkeep.retotal(today) == 0  # nothing from today on was folded: nothing to recount

    assert upkeep.retotal(today - timedelta(days=50)) == 1
    total = RollupTotal.objects.get()
    assert (total.through, total.outcomes) == (today - timedelta(days=1), {"ok": 11, "server_error": 2})
    assert history.outcome_totals([monitor.pk])[monitor.pk] == {"ok": 11, "server_error": 2}
