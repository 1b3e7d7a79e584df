"""Claiming due monitors: each due monitor once, phase kept, far-behind monitors resynchronised."""

from datetime import timedelta

from django.utils import timezone

from monitors.scheduling import batches_by_region, claim_due


def test_claims_only_due_enabled_monitors_and_advances_them(make_monitor):
    now = timezone.now()
    due = make_monitor(next_probe_at=now - timedelta(seconds=1))
    make_monitor(next_probe_at=now + timedelta(seconds=30))
    make_monitor(next_probe_at=now - timedelta(seconds=1), enabled=False)

    assert [mid for mid, _ in claim_due(now, 100)] == [due.pk]
    due.refresh_from_db()
    assert due.next_probe_at == now - timedelta(seconds=1) + timedelta(seconds=60)
    assert claim_due(now, 100) == []


def test_claimed_regions_are_lists_of_names_not_json_text(make_monitor):
    now = timezone.now()
    multi = make_monitor(next_probe_at=now, regions=["eu", "us"])
    single = make_monitor(next_probe_at=now)
    claimed = dict(claim_due(now, 10))
    assert claimed == {multi.pk: ["eu", "us"], single.pk: []}
    assert sorted(region for region, _ in batches_by_region(list(claimed.items()), "default", 10)) == [
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


def test_batches_split_by_region_and_size():
    claimed = [(1, []), (2, ["eu", "us"]), (3, ["eu"]), (4, [])]
    assert list(batches_by_region(claimed, "default", 1)) == [
        ("default", [1]), ("default", [4]), ("eu", [2]), ("eu", [3]), ("us", [2]),
    ]  # fmt: skip


def test_claimed_regions_come_back_as_lists(make_monitor):
    make_monitor(regions=["eu", "us"])
    make_monitor()
    assert sorted(regions for _, regions in claim_due(timezone.now(), 10)) == [[], ["eu", "us"]]
