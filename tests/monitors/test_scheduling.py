"""Claiming due monitors: each due monitor once, phase kept, far-behind monitors resynchronised."""

import json
from datetime import datetime, timedelta

import redis
from django.utils import timezone

from monitors.scheduling import Batch, Claim, batches_by_region, claim_due, queue_for
from monitors.tasks import tick


def test_claims_only_due_enabled_monitors_and_advances_them(make_monitor):
    now = timezone.now()
    due = make_monitor(next_probe_at=now - timedelta(seconds=1))
    make_monitor(next_probe_at=now + timedelta(seconds=30))
    make_monitor(next_probe_at=now - timedelta(seconds=1), enabled=False)

    assert [claim.monitor_id for claim in claim_due(now, 100)] == [due.pk]
    due.refresh_from_db()
    assert due.next_probe_at == now - timedelta(seconds=1) + timedelta(seconds=60)
    assert claim_due(now, 100) == []


def test_claimed_regions_are_lists_of_names_not_json_text(make_monitor):
    now = timezone.now()
    multi = make_monitor(next_probe_at=now, regions=["eu", "us"])
    single = make_monitor(next_probe_at=now)
    claimed = claim_due(now, 10)
    assert {claim.monitor_id: claim.regions for claim in claimed} == {multi.pk: ["eu", "us"], single.pk: []}
    assert sorted(batch.region for batch in batches_by_region(claimed, "default", 10)) == [
        "default", "eu", "us",
    ]  # fmt: skip


def test_a_monitor_far_behind_restarts_from_now_instead_of_bursting(make_monitor):
    now = timezone.now()
    late = make_monitor(next_probe_at=now - timedelta(hours=2))
    claim_due(now, 100)
    late.refresh_from_db()
    assert late.next_probe_at == now + timedelta(seconds=60)


def test_claim_respects_the_limit(make_monitor):
    now = timezone.now()
    for _ in range(5):
        make_monitor(next_probe_at=now)
    assert len(claim_due(now, 3)) == 3
    assert len(claim_due(now, 3)) == 2


def test_batches_split_by_region_and_size_earliest_due_first():
    now = timezone.now()
    at = [now + timedelta(seconds=s) for s in (3, 1, 2, 0)]
    regions = ([], ["eu", "us"], ["eu"], [])
    claimed = [Claim(i + 1, regions[i], at[i], at[i] + timedelta(seconds=60 - i)) for i in range(4)]
    assert [(b.region, b.monitor_ids) for b in batches_by_region(claimed, "default", 1)] == [
        ("default", [4]), ("default", [1]), ("eu", [2]), ("eu", [3]), ("us", [2]),
    ]  # fmt: skip
    assert next(batches_by_region(claimed, "default", 2)) == Batch(
        "default", [4, 1], [at[3].timestamp(), at[0].timestamp()], (now + timedelta(seconds=57)).timestamp()
    )  # it expires when the first of its monitors is due again: 4 at 0 + 57 s, before 1 at 3 + 60 s


def test_claims_ahead_up_to_the_horizon_with_each_due_time(make_monitor):
    now = timezone.now()
    soon = make_monitor(next_probe_at=now + timedelta(seconds=3))
    due = make_monitor(next_probe_at=now - timedelta(seconds=1))
    make_monitor(next_probe_at=now + timedelta(seconds=10))
    claimed = claim_due(now, 100, horizon=now + timedelta(seconds=5))
    assert [(c.monitor_id, c.due_at, c.next_due_at) for c in claimed] == [
        (due.pk, now - timedelta(seconds=1), now + timedelta(seconds=59)),
        (soon.pk, now + timedelta(seconds=3), now + timedelta(seconds=63)),
    ]  # fmt: skip
    soon.refresh_from_db()
    assert soon.next_probe_at == now + timedelta(seconds=63)  # phase kept from its due time


def test_claimed_regions_come_back_as_lists(make_monitor):
    make_monitor(regions=["eu", "us"])
    make_monitor()
    assert sorted(claim.regions for claim in claim_due(timezone.now(), 10)) == [[], ["eu", "us"]]


def test_a_tick_sends_each_batch_to_expire_when_its_monitors_fall_due_again(make_monitor, settings):
    # A batch redelivered long after its worker died must not probe late and twice over: the message
    # on the real broker carries the expiry that makes a worker drop it unrun.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue_for("default"))
    monitor = make_monitor(next_probe_at=timezone.now() - timedelta(seconds=1), interval_s=30)

    assert tick() == 1
    message = json.loads(broker.lpop(queue_for("default")))
    assert message["headers"]["task"] == "monitors.probe_batch"
    monitor.refresh_from_db()
    expires = datetime.fromisoformat(message["headers"]["expires"])
    assert abs(expires - monitor.next_probe_at) < timedelta(milliseconds=1)
