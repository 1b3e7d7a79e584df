"""Retention drops whole days of raw results, leaves rollups alone, and never blocks a writer."""

from __future__ import annotations

import threading
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from monitors.history import aggregator, partitions, upkeep
from monitors.models import DailyRollup, HourlyRollup, ProbeResult
from monitors.recording import record
from tests.history.conftest import snapshot


@pytest.fixture
def today():
    return partitions.utc_day(timezone.now())


def noon(day):
    return partitions.day_start(day) + timedelta(hours=12)


@pytest.mark.django_db(transaction=True)
def test_dropping_old_days_removes_their_results_and_keeps_every_rollup(make_monitor, observe, feed, today):
    monitor = make_monitor()
    old, older, recent = today - timedelta(days=35), today - timedelta(days=40), today - timedelta(days=1)
    record([observe(monitor, noon(day)) for day in (older, old, recent)])
    feed()
    rollups = (snapshot(HourlyRollup), snapshot(DailyRollup))
    assert len(rollups[1]) == 3

    dropped = upkeep.drop_raw_results(today - timedelta(days=30))
    assert {partitions.name(older), partitions.name(old)} <= set(dropped)
    assert partitions.name(recent) not in dropped
    assert [r.started_at for r in ProbeResult.objects.all()] == [noon(recent)]
    assert (snapshot(HourlyRollup), snapshot(DailyRollup)) == rollups
    assert upkeep.drop_raw_results(today - timedelta(days=30)) == []  # twice is harmless


@pytest.mark.django_db(transaction=True)
def test_days_the_feed_has_not_added_are_never_dropped(make_monitor, observe, today):
    monitor = make_monitor()
    old = today - timedelta(days=40)
    record([observe(monitor, noon(old))])
    aggregator.catch_up(noon(old), timedelta(0))  # the feed stopped just before that result
    assert upkeep.drop_raw_results(today - timedelta(days=30)) == []
    assert ProbeResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_dropping_a_day_blocks_no_writer(make_monitor, observe, feed, today):
    monitor = make_monitor()
    old = today - timedelta(days=40)
    record([observe(monitor, noon(old))])
    feed()
    dsn = _dsn()
    row = (
        "INSERT INTO monitors_proberesult (monitor_id, started_at, region, outcome, error_type, message,"
        " details) VALUES (%s, now() - %s * interval '1 second', 'default', 'ok', '', '', '{}')"
    )
    with psycopg.connect(dsn) as long_writer, psycopg.connect(dsn, autocommit=True) as writer:
        long_writer.execute(row, [monitor.pk, 1])  # a transaction left open on the table
        done = threading.Event()
        dropper = threading.Thread(target=_drop_in_thread, args=(today - timedelta(days=30), done))
        dropper.start()
        try:
            _wait_for_pending_detach(dsn)  # the detach waits for the open transaction...
            writer.execute("SET lock_timeout = '5s'")
            for n in range(2, 12):
                writer.execute(row, [monitor.pk, n])  # ...and meanwhile writers go on (or time out)
            assert not done.is_set()
        finally:
            long_writer.commit()
            dropper.join(timeout=60)
    assert done.is_set()
    assert partitions.utc_day(noon(old)) not in partitions.existing()
    assert ProbeResult.objects.count() == 11


def test_dropping_refuses_to_run_inside_a_transaction(db, today):
    with pytest.raises(partitions.RetentionError, match="outside a transaction"):
        partitions.drop_before(today)


def _drop_in_thread(cutoff, done: threading.Event) -> None:
    try:
        partitions.drop_before(cutoff)
        done.set()
    finally:
        connections.close_all()


def _wait_for_pending_detach(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as watcher:
        for _ in range(200):
            pending = watcher.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass AND inhdetachpending",
                [partitions.PARENT],
            ).fetchone()[0]
            if pending:
                return
            threading.Event().wait(0.05)
    raise AssertionError("the detach never started")


def _dsn() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    )
