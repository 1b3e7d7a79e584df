"""Pages keep working under the Content-Security-Policy: Chromium reports no violation on any of them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from statuspage.components.models import Component
from statuspage.incidents import services
from statuspage.incidents.drafts import IncidentDraft
from statuspage.operators.roles import GROUP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def test_public_pages_run_their_scripts_under_the_policy(page, live_server, make_component):
    chat = make_component("Chat completions")
    incident = services.open_incident(
        IncidentDraft(name="Elevated errors", impact="major", body="**Looking** into it.",
                      component_statuses={chat: "partial_outage"}),
    )  # fmt: skip
    seen = violations(page)
    for path in ("/", f"/incidents/{incident.public_id}", "/history", "/subscribe"):
        response = page.goto(live_server.url + path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"  # the page's own scripts ran
    assert seen == []


def test_the_admins_inline_blocks_carry_the_nonce(page, live_server, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed
    operator = django_user_model.objects.create_user("olga", "olga@example.com", PASSWORD, is_staff=True)
    operator.groups.add(Group.objects.get(name=GROUP))
    Component.objects.create(name="Chat completions")
    seen = violations(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    for path in ("/admin/", "/admin/incidents/incident/", "/admin/incidents/incident/open/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # compose.html's inline script offers "operational" when resolving: it ran.
    page.select_option("#id_status", "resolved")
    assert seen == []
