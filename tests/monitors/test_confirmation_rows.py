"""Confirmation probes as rows: planned when results are recorded, claimed by the tick within the budget."""

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from monitors.confirmation import Policy
from monitors.models import Confirmation, Monitor, ProbeResult, Provider
from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record
from monitors.scheduling import claim_confirmations, queue_for
from monitors.tasks import tick

POLICY = Policy(delays_s=(5.0, 10.0), jitter=0.0, cap=2, window_s=60.0)


def obs(monitor, outcome, seconds=0.0, region="default", confirmation=False):
    return Observation(
        monitor_id=monitor.pk, outcome=outcome, started_at=timezone.now() + timedelta(seconds=seconds),
        region=region, details={"confirmation": True} if confirmation else {},
    )  # fmt: skip


def planned(monitor) -> list[tuple[str, int]]:
    return list(
        Confirmation.objects.filter(monitor=monitor, sent_at=None)
        .values_list("region", "votes")
        .order_by("region")
    )


def test_a_first_failure_plans_a_confirmation_a_few_seconds_out(make_monitor):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    before = timezone.now()
    record([obs(monitor, Outcome.SERVER_ERROR)], confirm=POLICY)
    row = Confirmation.objects.get()
    assert (row.region, row.votes, row.sent_at) == ("default", 1, None)
    assert before + timedelta(seconds=5) <= row.due_at <= timezone.now() + timedelta(seconds=5)


def test_the_confirming_result_votes_like_a_scheduled_one_and_is_counted(make_monitor):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    record([obs(monitor, Outcome.SERVER_ERROR)], confirm=POLICY)
    record([obs(monitor, Outcome.SERVER_ERROR, 5, confirmation=True)], confirm=POLICY)
    monitor.refresh_from_db()
    assert (monitor.status, monitor.confirmation_probes) == ("down", 1)
    assert planned(monitor) == []  # confirmed: nothing left to plan
    assert ProbeResult.objects.filter(details__confirmation=True).count() == 1


def test_a_success_withdraws_the_planned_confirmation(make_monitor):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    record([obs(monitor, Outcome.SERVER_ERROR)], confirm=POLICY)
    record([obs(monitor, Outcome.OK, 1)], confirm=POLICY)
    assert planned(monitor) == []


def test_recovery_plans_the_second_delay_after_the_second_vote(make_monitor):
    monitor = make_monitor(status="down", region_states={"default": {"status": "down"}})
    record([obs(monitor, Outcome.OK), obs(monitor, Outcome.OK, 5, confirmation=True)], confirm=POLICY)
    row = Confirmation.objects.get()
    assert row.votes == 2
    assert row.due_at >= timezone.now() + timedelta(seconds=9)


@pytest.mark.parametrize("outcome", [Outcome.RATE_LIMITED, Outcome.AUTH_ERROR, Outcome.QUOTA_EXHAUSTED])
def test_rate_limits_and_our_errors_plan_nothing(make_monitor, outcome):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    record([obs(monitor, outcome)], confirm=POLICY)
    assert planned(monitor) == []


def test_each_region_is_confirmed_on_its_own(make_monitor):
    monitor = make_monitor(regions=["eu", "us"], status="up")
    monitor.region_states = {"eu": {"status": "up"}, "us": {"status": "up"}}
    monitor.save()
    record(
        [obs(monitor, Outcome.SERVER_ERROR, region="eu"), obs(monitor, Outcome.OK, region="us")],
        confirm=POLICY,
    )
    assert planned(monitor) == [("eu", 1)]


def test_without_a_policy_nothing_is_planned(make_monitor):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    record([obs(monitor, Outcome.SERVER_ERROR)])
    assert not Confirmation.objects.exists()


def failing(make_monitor, provider, n):
    monitors = [
        make_monitor(provider=provider, status="up", region_states={"default": {"status": "up"}})
        for _ in range(n)
    ]
    record([obs(m, Outcome.SERVER_ERROR) for m in monitors], confirm=POLICY)
    return monitors


def test_the_tick_claims_due_confirmations_within_each_providers_cap(make_monitor, provider):
    other = Provider.objects.create(name="Other", slug="other", base_url="http://127.0.0.1:9")
    mine, theirs = failing(make_monitor, provider, 3), failing(make_monitor, other, 1)
    later = timezone.now() + timedelta(seconds=7)

    claimed = claim_confirmations(later, 100, later, POLICY)
    assert sorted(c.monitor_id for c in claimed) == sorted([mine[0].pk, mine[1].pk, theirs[0].pk])
    assert Confirmation.objects.filter(sent_at__isnull=False).count() == 3
    assert planned(mine[2]) == []  # over the cap: dropped, the schedule confirms it instead

    # The budget is spent for the window: another confirmation of this provider within it is dropped.
    (late,) = failing(make_monitor, provider, 1)
    assert (
        claim_confirmations(later + timedelta(seconds=10), 100, later + timedelta(seconds=20), POLICY) == []
    )
    assert planned(late) == []
    assert Confirmation.objects.filter(sent_at__isnull=False).count() == 3
    # After the window, the sent rows are forgotten and the budget is whole again.
    fresh = failing(make_monitor, provider, 1)
    after = later + timedelta(seconds=61)
    assert [c.monitor_id for c in claim_confirmations(after, 100, after, POLICY)] == [fresh[0].pk]
    assert Confirmation.objects.filter(sent_at__isnull=False).count() == 1


def test_nothing_is_claimed_before_it_is_due(make_monitor, provider):
    failing(make_monitor, provider, 1)
    assert claim_confirmations(timezone.now(), 100, timezone.now() + timedelta(seconds=1), POLICY) == []


def test_a_claimed_confirmation_expires_once_the_schedule_has_probed_again(make_monitor, provider):
    (monitor,) = failing(make_monitor, provider, 1)
    due = Confirmation.objects.get().due_at
    (claim,) = claim_confirmations(due, 100, due, POLICY)
    assert (claim.regions, claim.due_at, claim.next_due_at) == (["default"], due, due + monitor.interval)


def test_a_lost_confirmation_costs_latency_only(make_monitor, provider):
    # Claimed (sent) but never run: the next scheduled failure confirms the outage all the same.
    (monitor,) = failing(make_monitor, provider, 1)
    due = Confirmation.objects.get().due_at
    claim_confirmations(due, 100, due, POLICY)
    record([obs(monitor, Outcome.SERVER_ERROR, 60)], confirm=POLICY)
    monitor.refresh_from_db()
    assert (monitor.status, monitor.confirmation_probes) == ("down", 0)


def test_a_tick_sends_confirmations_to_the_regions_queue_marked_as_such(make_monitor, settings):
    settings.CONFIRM_DELAYS_S, settings.CONFIRM_JITTER = (0.5,), 0.0
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue_for("eu"))
    monitor = make_monitor(regions=["eu"], status="up", next_probe_at=timezone.now() + timedelta(hours=1))
    monitor.region_states = {"eu": {"status": "up"}}
    monitor.save()
    record([obs(monitor, Outcome.SERVER_ERROR, region="eu")], confirm=Policy(delays_s=(0.5,), jitter=0.0))

    assert tick() == 1
    message = json.loads(broker.lpop(queue_for("eu")))
    assert message["headers"]["task"] == "monitors.probe_batch"
    body = json.loads(base64.b64decode(message["body"]))
    assert body[1] == {
        "monitor_ids": [monitor.pk], "region": "eu", "confirming": True,
        "due_at": [Confirmation.objects.get().due_at.timestamp()],
    }  # fmt: skip
    assert Monitor.objects.get().next_probe_at > timezone.now() + timedelta(minutes=59)  # schedule untouched


def test_a_batch_that_plans_a_confirmation_rings_its_doorbell_on_commit(
    make_monitor, django_capture_on_commit_callbacks
):
    monitor = make_monitor(status="up", region_states={"default": {"status": "up"}})
    rung = []
    with django_capture_on_commit_callbacks(execute=True):
        record([obs(monitor, Outcome.OK)], confirm=POLICY, on_confirm=lambda: rung.append("ok"))
        record(
            [obs(monitor, Outcome.SERVER_ERROR, 1)], confirm=POLICY, on_confirm=lambda: rung.append("fault")
        )
    assert rung == ["fault"]
