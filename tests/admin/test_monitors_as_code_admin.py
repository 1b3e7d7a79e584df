"""Admin: the catalog flow, typed monitor options, managed marks and the probe cost."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from monitors.models import Monitor, Provider
from statuspage.components.models import ComponentGroup
from tests.admin.conftest import ADMIN

CATALOG = ADMIN + "monitors/provider/catalog/"
MONITORS = ADMIN + "monitors/monitor/"


def test_the_provider_list_links_to_the_catalog(superuser_client):
    assert (
        "Add providers from the catalog"
        in superuser_client.get(ADMIN + "monitors/provider/").content.decode()
    )


def test_preview_shows_the_plan_and_its_cost_and_creates_nothing(superuser_client, monkeypatch):
    monkeypatch.setenv("GROQ_API_KEY", "gsk_test")
    page = superuser_client.post(CATALOG, {"pick_groq": "on", "model_groq": "llama-3.1-8b-instant",
                                           "interval": "60", "_preview": "1"}).content.decode()  # fmt: skip
    assert "create  monitor Groq / Groq chat llama-3.1-8b-instant" in page
    assert "create  component group Groq" in page and "Probe cost: $" in page
    assert 'name="_add"' in page
    assert not Provider.objects.exists()


def test_add_creates_monitors_components_and_group_unmanaged(superuser_client):
    response = superuser_client.post(CATALOG, {"pick_deepseek": "on", "model_deepseek": "deepseek-chat",
                                               "interval": "120", "_add": "1"})  # fmt: skip
    assert response.status_code == 302
    kinds = sorted(Monitor.objects.filter(provider__slug="deepseek").values_list("kind", flat=True))
    assert kinds == ["models", "openai", "upstream"]
    assert set(Monitor.objects.values_list("interval_s", flat=True)) == {120}
    group = ComponentGroup.objects.get(name="DeepSeek")
    assert sorted(group.components.values_list("name", flat=True)) == ["Chat", "Models API"]
    listing = superuser_client.get(MONITORS).content.decode()
    assert "Probe cost: <strong>$" in listing


def test_a_template_provider_without_its_values_is_a_message_on_the_form(superuser_client):
    page = superuser_client.post(CATALOG, {"pick_azure-openai": "on", "interval": "60", "_preview": "1"})
    assert page.status_code == 200
    assert "azure-openai needs &#x27;resource&#x27;" in page.content.decode()
    assert not Provider.objects.exists()


def test_monitor_options_are_typed_fields_and_keep_what_they_do_not_own(superuser_client, make_monitor):
    monitor = make_monitor(options={"price_per_mtok": {"input": 1, "output": 2}, "quorum": 2}, regions=["eu"])
    form = superuser_client.get(f"{MONITORS}{monitor.pk}/change/").content.decode()
    assert 'name="regions_text"' in form and 'value="eu"' in form and 'name="options"' not in form
    data = {
        "provider": monitor.provider_id, "name": monitor.name, "kind": "http", "url": "https://example.com/health",
        "model": "", "interval_s": 60, "timeout_s": 30, "ttft_timeout_s": 20, "stall_timeout_s": 10,
        "expect_text": "", "enabled": "on", "regions_text": "eu, us", "api_key_env": "ACME_API_KEY",
        "headers_text": "X-Team: sre", "conditions_text": 'status == 200\nbody contains "ok"', "flavour": "",
        "confirm_down": "3", "quorum": "2",
    }  # fmt: skip
    response = superuser_client.post(f"{MONITORS}{monitor.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor.refresh_from_db()
    assert monitor.regions == ["eu", "us"]
    assert monitor.options == {
        "price_per_mtok": {"input": 1, "output": 2}, "api_key_env": "ACME_API_KEY",
        "headers": {"X-Team": "sre"},
        "conditions": [{"field": "status", "op": "==", "value": 200},
                       {"field": "body", "op": "contains", "value": "ok"}],
        "confirm_down": 3, "quorum": 2,
    }  # fmt: skip


def test_bad_typed_options_are_messages_on_the_form(superuser_client, make_monitor):
    monitor = make_monitor()
    data = {
        "provider": monitor.provider_id, "name": monitor.name, "kind": "http", "url": "https://example.com",
        "interval_s": 60, "timeout_s": 30, "ttft_timeout_s": 20, "stall_timeout_s": 10, "enabled": "on",
        "regions_text": "eu", "api_key_env": "DATABASE_URL", "headers_text": "Authorization: Bearer x",
        "conditions_text": "status ~= 200",
    }  # fmt: skip
    page = superuser_client.post(f"{MONITORS}{monitor.pk}/change/", data).content.decode()
    assert "DATABASE_URL is one of statuspage&#x27;s own settings" in page
    assert "Authorization carries a key: name the key variable instead" in page
    assert "unknown op &#x27;~=&#x27;" in page


def test_a_managed_monitor_is_marked_and_warns_before_a_hand_edit(superuser_client, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = tmp_path / "statuspage.yaml"
    config.write_text("providers:\n  - openai\n")
    call_command("apply", str(config), stdout=StringIO())
    listing = superuser_client.get(MONITORS).content.decode()
    assert str(config) in listing  # the "managed by" column
    chat = Monitor.objects.get(kind="openai")
    page = superuser_client.get(f"{MONITORS}{chat.pk}/change/").content.decode()
    assert f"Managed by {config}: a hand edit here is undone by the next" in page


def test_a_self_hosted_server_is_added_at_the_address_given(superuser_client):
    form = {"pick_vllm": "on", "model_vllm": "Qwen/Qwen3-8B", "interval": "30",
            "base_url_vllm": "http://gpu-1.internal:8000/v1", "_add": "1"}  # fmt: skip
    response = superuser_client.post(CATALOG, form)
    assert response.status_code == 302
    urls = dict(Monitor.objects.filter(provider__slug="vllm").values_list("kind", "url"))
    assert urls == {"openai": "http://gpu-1.internal:8000/v1", "models": "http://gpu-1.internal:8000/v1",
                    "http": "http://gpu-1.internal:8000/health"}  # fmt: skip
    assert Monitor.objects.get(kind="openai").model == "Qwen/Qwen3-8B"
