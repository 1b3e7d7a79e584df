"""StateChange rows drive component status; each row is processed once."""

from django.utils import timezone

from monitors.models import StateChange
from statuspage.components.propagation import propagate


def test_monitor_down_makes_its_component_major_outage(make_monitor, make_component):
    monitor = make_monitor(status="down")
    component = make_component(monitors=[monitor])
    StateChange.objects.create(monitor=monitor, old_status="up", new_status="down")

    processed, changed = propagate(timezone.now())

    component.refresh_from_db()
    assert (processed, component.status) == (1, "major_outage")
    assert changed == [(component, "operational")] or [c.pk for c, _ in changed] == [component.pk]
    assert propagate(timezone.now()) == (0, [])


def test_one_of_two_monitors_down_is_a_partial_outage(make_monitor, make_component):
    down, up = make_monitor(status="down"), make_monitor(status="up")
    component = make_component(monitors=[down, up])
    StateChange.objects.create(monitor=down, old_status="up", new_status="down")
    propagate(timezone.now())
    component.refresh_from_db()
    assert component.status == "partial_outage"
