"""Who reaches what: anonymous nothing, operators incidents and maintenance but no users or settings."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client

from monitors.models import Monitor
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.operators.roles import GROUP
from tests.admin.conftest import ADMIN


@pytest.fixture
def world(components, make_monitor):
    monitor = make_monitor()
    incident = services.open_incident(
        IncidentDraft(
            name="Outage",
            impact="major",
            body="Looking.",
            component_statuses={components["chat"]: "major_outage"},
        )
    )
    return {"incident": incident, "update": incident.updates.get(), "monitor": monitor, **components}


def every_admin_url(world) -> list[str]:
    urls = [ADMIN, ADMIN + "two-factor/", ADMIN + "password_change/"]
    for model in admin.site._registry:
        base = f"{ADMIN}{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/"]
    incident, update, monitor = world["incident"], world["update"], world["monitor"]
    base = f"{ADMIN}incidents/incident/"
    one = f"{base}{incident.pk}/"
    urls += [base + "open/", base + "schedule-maintenance/", one + "change/", one + "post-update/",
             one + "postmortem/", f"{one}updates/{update.pk}/edit/",
             f"{ADMIN}monitors/monitor/{monitor.pk}/change/",
             f"{ADMIN}components/component/{world['chat'].pk}/change/"]  # fmt: skip
    return urls


def test_anonymous_users_reach_nothing_in_admin(client, world):
    for url in every_admin_url(world):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    for url in (
        f"{ADMIN}incidents/incident/{world['incident'].pk}/approve/",
        f"{ADMIN}monitors/monitor/{world['monitor'].pk}/probe/",
        f"{ADMIN}monitors/monitor/{world['monitor'].pk}/pause/",
    ):
        assert client.post(url)["Location"].startswith("/admin/login/"), url


def test_staff_without_a_role_see_nothing_to_act_on(make_staff, world):
    client = Client()
    client.force_login(make_staff("bystander"))
    assert client.get(f"{ADMIN}incidents/incident/open/").status_code == 403
    assert client.get(f"{ADMIN}incidents/incident/{world['incident'].pk}/post-update/").status_code == 403
    assert client.post(f"{ADMIN}monitors/monitor/{world['monitor'].pk}/pause/").status_code == 403


@pytest.mark.parametrize(
    "path",
    ["auth/user/", "auth/user/add/", "auth/group/", "axes/accessattempt/", "otp_totp/totpdevice/",
     "monitors/provider/add/", "monitors/monitor/add/", "components/component/add/",
     "components/componentgroup/add/", "subscriptions/subscriber/add/"],
)  # fmt: skip
def test_an_operator_cannot_reach_users_or_settings(operator_client, path):
    assert operator_client.get(ADMIN + path).status_code == 403


def test_an_operator_cannot_change_a_monitor_or_provider_configuration(operator_client, world):
    monitor: Monitor = world["monitor"]
    page = operator_client.get(f"{ADMIN}monitors/monitor/{monitor.pk}/change/")
    assert page.status_code == 200 and 'name="url"' not in page.content.decode()  # read-only view

    response = operator_client.post(
        f"{ADMIN}monitors/monitor/{monitor.pk}/change/", {"url": "http://evil.test/", "name": "x"}
    )
    assert response.status_code == 403
    monitor.refresh_from_db()
    assert monitor.url == "http://127.0.0.1:9/v1"
    provider = monitor.provider
    assert operator_client.get(f"{ADMIN}monitors/provider/{provider.pk}/change/").status_code == 200
    assert operator_client.post(f"{ADMIN}monitors/provider/{provider.pk}/change/", {}).status_code == 403


def test_the_index_shows_an_operator_only_what_they_may_use(operator_client):
    page = operator_client.get(ADMIN).content.decode()
    assert "Incidents" in page and "Update templates" in page and "Deliveries" in page
    assert "/admin/auth/user/" not in page and "/admin/axes/" not in page


def test_an_operator_runs_incidents_and_maintenance(operator_client, world):
    incident = world["incident"]
    for url in (f"{ADMIN}incidents/incident/open/", f"{ADMIN}incidents/incident/schedule-maintenance/",
                f"{ADMIN}incidents/incident/{incident.pk}/post-update/",
                f"{ADMIN}incidents/updatetemplate/add/"):  # fmt: skip
        assert operator_client.get(url).status_code == 200, url


def test_superusers_reach_everything(superuser_client, world):
    for url in every_admin_url(world):
        status = superuser_client.get(url).status_code
        # Some models are never added by hand (probe results, deliveries, access logs): 403 there.
        assert (
            status == 200
            or (status == 302 and url.endswith("incident/add/"))
            or (status == 403 and url.endswith("/add/"))
        ), (url, status)


def test_the_operator_group_holds_exactly_its_role(db):
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=GROUP).permissions.all()
    }
    assert {
        "incidents.add_incident",
        "incidents.change_incidentupdate",
        "components.override_component",
        "monitors.operate_monitor",
        "subscriptions.change_delivery",
        "admin.view_logentry",
    } <= granted
    forbidden = {"auth.", "axes.", "otp_totp.", "monitors.change_monitor", "monitors.change_provider",
                 "components.change_component", "incidents.delete_incident"}  # fmt: skip
    assert not {g for g in granted for f in forbidden if g.startswith(f)}


def test_the_dashboard_leads_with_open_incidents_and_the_actions_on_them(operator_client, world):
    page = operator_client.get(ADMIN).content.decode()
    now = page[page.index('id="h-now"') : page.index("</section>")]
    assert "Outage" in now and f"/incident/{world['incident'].pk}/post-update/" in now
    assert "/incidents/incident/open/" in now and "/incidents/incident/schedule-maintenance/" in now
