"""In real Chromium, an admin adds OpenAI and Anthropic from the catalog: preview, then one submit."""

from __future__ import annotations

import pytest

from monitors.models import Monitor
from statuspage.components.models import ComponentGroup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "admin-e2e-password"


@pytest.fixture
def admin_user(settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


def test_an_admin_adds_providers_from_the_catalog(page, live_server, admin_user, axe, artifacts, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-e2e")  # the live server runs in this process
    page.goto(f"{live_server.url}/admin/monitors/provider/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.click("text=Add providers from the catalog")
    openai_row = page.locator("tr", has=page.locator("#id_pick_openai"))
    assert "OPENAI_API_KEY" in openai_row.inner_text() and "not set here" not in openai_row.inner_text()
    anthropic_row = page.locator("tr", has=page.locator("#id_pick_anthropic"))
    assert "ANTHROPIC_API_KEY not set here" in anthropic_row.inner_text()
    page.check("#id_pick_openai")
    page.select_option("#id_model_openai", "gpt-4.1-mini")
    page.check("#id_pick_anthropic")
    page.fill("#id_interval", "120")
    page.click("button[name=_preview]")

    preview = page.locator("#preview").inner_text()
    assert "create  monitor OpenAI / OpenAI chat gpt-4.1-mini" in preview
    assert "create  monitor Anthropic / Anthropic upstream status" in preview
    assert "create  component group OpenAI" in preview and "create  component Anthropic · Chat" in preview
    assert "Probe cost: $" in preview
    assert page.is_checked("#id_pick_openai") and page.input_value("#id_interval") == "120"
    # Django's stock breadcrumbs fail link-in-text-block on every admin page; the form itself must pass.
    assert [
        v
        for v in axe(page)
        if v["nodes"] != [['.breadcrumbs > a[href$="admin/"]'], ['.breadcrumbs > a[href$="provider/"]']]
    ] == []
    page.screenshot(path=str(artifacts / "catalog-preview.png"), full_page=True)
    assert not Monitor.objects.exists()  # a preview changes nothing

    page.click("button[name=_add]")
    page.get_by_text("Added from the catalog: 6 monitor(s).").wait_for()
    assert "Probe cost:" in page.locator(".probe-cost").inner_text()
    chat = Monitor.objects.get(name="OpenAI chat gpt-4.1-mini")
    assert (chat.interval_s, chat.stream, chat.provider.api_key_env) == (120, True, "OPENAI_API_KEY")
    assert set(ComponentGroup.objects.values_list("name", flat=True)) == {"OpenAI", "Anthropic"}
