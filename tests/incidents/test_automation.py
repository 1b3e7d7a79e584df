"""Incident automation: one incident per outage, updates as it changes, quiet resolution, review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitors.models import Monitor, StateChange
from statuspage.components.propagation import propagate
from statuspage.incidents import automation, services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.incidents.models import Incident
from statuspage.readmodel import v2
from statuspage.subscriptions.models import OperatorAlert

pytestmark = pytest.mark.django_db

QUIET = 600


@pytest.fixture(autouse=True)
def quiet_period(settings):
    settings.INCIDENT_QUIET_PERIOD_S = QUIET
    settings.INCIDENT_REVIEW_MINOR = False


def statuses(incident: Incident) -> list[str]:
    return [u.status for u in incident.updates.order_by("display_at", "id")]


def test_a_component_leaving_operational_opens_one_published_incident(world):
    world.monitor_moves(world.chat_monitor, "down")
    incident = Incident.objects.get()
    assert (incident.status, incident.impact, incident.automatic, incident.published) == (
        "investigating", "critical", True, True,
    )  # fmt: skip
    assert incident.name == "Outage of Acme AI Chat"
    assert list(incident.components.all()) == [world.chat]
    update = incident.updates.get()
    assert update.affected_components == [
        {
            "code": world.chat.public_id,
            "name": "Chat",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert "Acme AI Chat: major outage" in update.body
    assert incident.detection["method"] == "probes"
    assert incident.detection["monitors"][0]["name"] == "chat"


def test_impact_follows_severity(world, make_monitor):
    second = make_monitor(name="chat-2", status="up")
    world.chat.monitors.add(second)
    world.monitor_moves(world.chat_monitor, "degraded")
    assert Incident.objects.get().impact == "minor"
    world.monitor_moves(world.chat_monitor, "down", 60)
    incident = Incident.objects.get()
    assert (world.chat.__class__.objects.get(pk=world.chat.pk).status, incident.impact) == (
        "partial_outage", "major",
    )  # fmt: skip
    assert statuses(incident) == ["investigating", "investigating"]


def test_more_monitors_failing_on_one_component_do_not_open_more_incidents(world, make_monitor):
    second = make_monitor(name="chat-2", status="up")
    world.chat.monitors.add(second)
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(second, "down", 30)
    assert Incident.objects.count() == 1


def test_an_outage_spreading_to_a_sibling_component_joins_the_incident(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.models_monitor, "down", 60)
    incident = Incident.objects.get()
    assert set(incident.components.all()) == {world.chat, world.models}
    assert "Models: major outage" in incident.updates.order_by("-display_at").first().body


def test_components_failing_together_share_one_new_incident(world):
    for monitor in (world.chat_monitor, world.models_monitor):
        monitor.status = "down"
        monitor.save()
        StateChange.objects.create(monitor=monitor, old_status="up", new_status="down")
    propagate(world.now)
    incident = Incident.objects.get()
    assert incident.components.count() == 2
    assert incident.updates.count() == 1


def test_recovery_posts_monitoring_then_resolves_after_the_quiet_period(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.chat_monitor, "up", 120)
    incident = Incident.objects.get()
    assert incident.status == "monitoring"
    assert (
        incident.updates.order_by("-display_at").first().affected_components[0]["new_status"] == "operational"
    )

    automation.sweep(world.at(120 + QUIET - 1))
    incident.refresh_from_db()
    assert incident.status == "monitoring"

    automation.sweep(world.at(120 + QUIET + 1))
    incident.refresh_from_db()
    assert (incident.status, statuses(incident)) == (
        "resolved", ["investigating", "monitoring", "resolved"],
    )  # fmt: skip
    assert incident.resolved_at == world.at(120 + QUIET + 1)


def test_a_relapse_while_monitoring_reopens_the_same_incident(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.chat_monitor, "up", 120)
    world.monitor_moves(world.chat_monitor, "down", 240)
    incident = Incident.objects.get()
    assert incident.status == "investigating"
    assert incident.updates.order_by("-display_at").first().body.startswith("The issue has recurred.")
    automation.sweep(world.at(240 + QUIET + 1))
    incident.refresh_from_db()
    assert incident.status == "investigating"  # still failing: never resolved by the clock alone


def test_partial_recovery_is_an_update_not_monitoring(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.models_monitor, "down", 10)
    world.monitor_moves(world.chat_monitor, "up", 60)
    incident = Incident.objects.get()
    assert incident.status == "investigating"
    assert "still" in incident.updates.order_by("-display_at").first().body


def test_minor_incidents_wait_for_approval_when_review_is_on(world, settings):
    settings.INCIDENT_REVIEW_MINOR = True
    world.monitor_moves(world.chat_monitor, "degraded")
    incident = Incident.objects.get()
    assert (incident.impact, incident.published) == ("minor", False)
    assert v2.summary()["incidents"] == []
    services.publish(incident)
    assert [i["id"] for i in v2.summary()["incidents"]] == [incident.public_id]


def test_operators_are_asked_once_to_approve_a_held_incident(world, settings, django_user_model):
    settings.INCIDENT_REVIEW_MINOR = True
    django_user_model.objects.create_user("olga", "olga@example.com", is_staff=True)
    world.monitor_moves(world.chat_monitor, "degraded")
    world.monitor_moves(world.chat_monitor, "down", 60)  # worsens the same incident: no second request
    incident = Incident.objects.get()
    alert = OperatorAlert.objects.get(kind="incident_held")
    assert alert.subject == "Incident awaiting approval: Degraded performance on Acme AI Chat"
    assert incident.name == "Outage of Acme AI Chat"  # the title follows; the request named it then
    assert f"/incidents/incident/{incident.pk}/change/" in alert.body
    assert "Acme AI Chat: degraded" in alert.body
    assert list(alert.deliveries.values_list("recipient", flat=True)) == ["olga@example.com"]


def test_a_published_incident_asks_nobody_for_approval(world, settings):
    settings.INCIDENT_REVIEW_MINOR = True
    world.monitor_moves(world.chat_monitor, "down")
    assert Incident.objects.get().published
    assert list(OperatorAlert.objects.values_list("kind", flat=True)) == ["incident_opened"]


def test_operators_are_paged_as_an_automatic_incident_opens_worsens_and_resolves(world, settings):
    settings.OPERATOR_NOTIFY_URLS = ["ntfy://ntfy.example.com/oncall"]
    world.monitor_moves(world.chat_monitor, "degraded")
    world.monitor_moves(world.chat_monitor, "degraded", 30)  # no change: nothing new
    world.monitor_moves(world.chat_monitor, "down", 60)
    world.monitor_moves(world.chat_monitor, "up", 120)  # monitoring: readers are told, not operators
    automation.sweep(world.at(120 + QUIET + 1))

    alerts = OperatorAlert.objects.order_by("created_at", "pk")
    assert [a.kind for a in alerts] == ["incident_opened", "incident_worsened", "incident_resolved"]
    assert "(critical impact)" in alerts[1].subject
    # Paged through Apprise only: automatic incidents are public already, no operator email for them.
    assert {d.channel for a in alerts for d in a.deliveries.all()} == {"operator"}


def test_a_held_incident_that_becomes_severe_publishes_itself(world, settings):
    settings.INCIDENT_REVIEW_MINOR = True
    world.monitor_moves(world.chat_monitor, "degraded")
    world.monitor_moves(world.chat_monitor, "down", 60)
    incident = Incident.objects.get()
    assert (incident.impact, incident.published) == ("critical", True)


def test_severe_incidents_publish_at_once_even_with_review_on(world, settings):
    settings.INCIDENT_REVIEW_MINOR = True
    world.monitor_moves(world.chat_monitor, "down")
    assert Incident.objects.get().published


def test_an_operator_incident_covering_the_component_is_left_to_the_operator(world):
    operator_incident = services.open_incident(
        IncidentDraft(
            name="Chat errors",
            impact="major",
            body="We know.",
            component_statuses={world.chat: "partial_outage"},
        )
    )
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.chat_monitor, "up", 60)
    automation.sweep(world.at(60 + QUIET + 1))
    assert list(Incident.objects.all()) == [operator_incident]
    operator_incident.refresh_from_db()
    assert (operator_incident.status, operator_incident.updates.count()) == ("investigating", 1)
    assert operator_incident.detection == {"method": "operator"}


def test_an_operator_override_is_not_an_outage(world):
    world.chat.override_status = "major_outage"
    world.chat.override_until = world.at(300)
    world.chat.save()
    world.monitor_moves(world.chat_monitor, "down")
    assert not Incident.objects.exists()
    world.refresh()
    assert world.chat.status == "major_outage"


def test_when_an_override_expires_the_monitors_speak_again(world):
    world.chat.override_status = "operational"
    world.chat.override_until = world.at(300)
    world.chat.save()
    world.monitor_moves(world.chat_monitor, "down")
    world.refresh()
    assert (world.chat.status, Incident.objects.count()) == ("operational", 0)

    automation.sweep(world.at(301))
    world.refresh()
    assert (world.chat.status, world.chat.override_status) == ("major_outage", "")
    assert Incident.objects.get().impact == "critical"


@pytest.fixture
def upstream(provider):
    return Monitor.objects.create(
        provider=provider, name="upstream", kind="upstream", url="http://x/", status="up"
    )


def test_detection_lead_over_the_provider_own_status_page(world, upstream):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(upstream, "down", 480, since=420)  # confirmed on its second result
    detection = Incident.objects.get().detection
    assert detection["lead_s"] == 420.0  # from the first result that admitted it
    assert detection["upstream_acknowledged_at"] == v2.iso_ms(world.at(420))


def test_an_outage_the_provider_admitted_first_has_a_negative_lead(world, upstream):
    world.monitor_moves(upstream, "down", -30, since=-60)
    assert not Incident.objects.exists()  # an upstream page alone drives no component
    world.monitor_moves(world.chat_monitor, "down")
    assert Incident.objects.get().detection["lead_s"] == -60.0


def test_detection_records_the_first_failing_probe_and_the_confirmation(world):
    world.monitor_moves(world.chat_monitor, "down", 60, since=0)
    detection = Incident.objects.get().detection
    assert (detection["first_failure_at"], detection["confirmed_at"]) == (
        v2.iso_ms(world.at(0)), v2.iso_ms(world.at(60)),
    )  # fmt: skip


def test_automatic_and_operator_incidents_look_the_same_to_readers(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as automatic_callbacks:
        world.monitor_moves(world.chat_monitor, "down")
    automatic = Incident.objects.get()
    with django_capture_on_commit_callbacks() as operator_callbacks:
        written = services.open_incident(
            IncidentDraft(
                name="Models errors",
                impact="major",
                body="Investigating.",
                component_statuses={world.models: "partial_outage"},
            )
        )
    summary = {i["id"]: i for i in v2.summary()["incidents"]}
    a, w = summary[automatic.public_id], summary[written.public_id]

    def shape(data):
        return {
            k: (sorted(v[0]) if isinstance(v, list) and v and isinstance(v[0], dict) else type(v))
            for k, v in data.items()
        }

    assert shape(a) == shape(w)
    assert (
        a["incident_updates"][0]["deliver_notifications"] == w["incident_updates"][0]["deliver_notifications"]
    )
    assert "automatic" not in a and "detection" not in a
    # Both published through the same service path: the same after-commit work (page version, outbox).
    assert [c.__qualname__ for c in automatic_callbacks] == [c.__qualname__ for c in operator_callbacks]


def test_a_new_outage_after_resolution_is_a_new_incident(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.chat_monitor, "up", 60)
    automation.sweep(world.at(60 + QUIET + 1))
    world.monitor_moves(world.chat_monitor, "down", 60 + QUIET + 600)
    assert Incident.objects.count() == 2
    assert Incident.objects.open_incidents().count() == 1


def test_stale_monitors_do_not_count_as_recovery(world):
    world.monitor_moves(world.chat_monitor, "down")
    world.monitor_moves(world.chat_monitor, "unknown", 300)
    world.refresh()
    assert world.chat.status == "major_outage"  # no evidence: we say nothing we do not know
    assert Incident.objects.get().status == "investigating"


def test_propagation_reacts_within_the_same_transaction_it_claims_rows(world):
    processed, changed = world.monitor_moves(world.chat_monitor, "down")
    assert (processed, [c.pk for c, _ in changed]) == (1, [world.chat.pk])
    assert StateChange.objects.filter(processed_at=None).count() == 0
    assert timedelta(0) <= Incident.objects.get().created_at - world.now


def test_the_automatic_title_follows_the_incident_to_its_resolution(world, make_monitor):
    second = make_monitor(name="chat-2", status="up")
    world.chat.monitors.add(second)
    world.monitor_moves(world.chat_monitor, "down")
    assert Incident.objects.get().name == "Elevated errors on Acme AI Chat"  # one monitor of two: partial
    world.monitor_moves(second, "down", 60)
    assert Incident.objects.get().name == "Outage of Acme AI Chat"
    world.monitor_moves(world.chat_monitor, "up", 120)
    assert Incident.objects.get().name == "Outage of Acme AI Chat"  # easing, not over: still the outage
    world.monitor_moves(second, "up", 150)
    assert Incident.objects.get().name == "Recovering: Outage of Acme AI Chat"
    automation.sweep(world.at(150 + QUIET + 1))
    incident = Incident.objects.get()
    assert (incident.status, incident.name) == ("resolved", "Resolved: Outage of Acme AI Chat")


def test_an_operators_title_is_left_alone(world):
    world.monitor_moves(world.chat_monitor, "down")
    incident = Incident.objects.get()
    incident.name = "Chat API failing for EU customers"
    incident.save()
    world.monitor_moves(world.chat_monitor, "up", 120)
    automation.sweep(world.at(120 + QUIET + 1))
    assert Incident.objects.get().name == "Chat API failing for EU customers"
