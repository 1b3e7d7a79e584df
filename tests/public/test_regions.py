"""A region out-voted by the quorum but failing is shown to readers, without moving the status."""

from datetime import timedelta

from django.utils import timezone

from monitors.outcomes import Outcome
from monitors.probes.base import Observation
from monitors.recording import record


def test_an_outvoted_failing_region_is_shown_on_the_page(client, make_monitor, make_component):
    monitor = make_monitor(status="up", regions=["eu", "us", "ap"])
    make_component("Chat", monitors=[monitor])
    now = timezone.now()
    record([Observation(monitor.pk, Outcome.OK, now, region=r) for r in ("eu", "us", "ap")])
    # Distinct times: a result at the same (monitor, time, region) is a replayed batch and is ignored.
    record(
        [
            Observation(monitor.pk, Outcome.SERVER_ERROR, now + timedelta(seconds=i), region="eu")
            for i in (1, 2)
        ]
    )

    page = client.get("/").content.decode()

    assert "failing in eu" in page
    assert "Operational" in page


def test_an_outvoted_region_flag_bumps_the_page_version(make_monitor, django_capture_on_commit_callbacks):
    from monitors.models import StateChange
    from statuspage.components.propagation import propagate
    from statuspage.lib import pageversion

    monitor = make_monitor(status="up", regions=["eu", "us", "ap"])
    StateChange.objects.create(monitor=monitor, region="eu", old_status="up", new_status="down")
    with django_capture_on_commit_callbacks() as callbacks:
        propagate(timezone.now())
    assert pageversion.bump in callbacks
