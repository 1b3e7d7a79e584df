"""Operators in the admin: approving held incidents, overrides that apply on save."""

import pytest
from django.contrib.auth import get_user_model

from statuspage.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("op", "op@example.com", "pw")
    client.force_login(user)
    return client


def test_approving_a_held_incident_publishes_it(operator, world, settings):
    settings.INCIDENT_REVIEW_MINOR = True
    world.monitor_moves(world.chat_monitor, "degraded")
    incident = Incident.objects.get()
    assert not incident.published
    response = operator.post(
        "/admin/incidents/incident/", {"action": "approve", "_selected_action": [incident.pk]}, follow=True
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.published


def test_clearing_an_override_in_the_admin_shows_the_monitors_again(operator, world):
    world.chat.override_status = "operational"
    world.chat.save()
    world.monitor_moves(world.chat_monitor, "down")
    world.refresh()
    assert world.chat.status == "operational"
    form = {
        "name": "Chat", "group": world.group.pk, "position": 1, "showcase": "on",
        "monitors": [world.chat_monitor.pk], "override_status": "", "override_until_0": "",
        "override_until_1": "", "created_at_0": "2026-01-01", "created_at_1": "00:00:00",
    }  # fmt: skip
    response = operator.post(f"/admin/components/component/{world.chat.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.refresh()
    assert world.chat.status == "major_outage"
    assert Incident.objects.get().impact == "critical"
