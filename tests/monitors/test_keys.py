"""A monitor may name only a key-like variable as its API key; our own settings are never sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from monitors import keys
from monitors.models import Monitor, Provider

REFUSED = [
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_USER",
    "HOME",
    "PATH",
]
ALLOWED = ["OPENAI_API_KEY", "DEMO_FLEET_API_KEY", "HF_TOKEN", "MY_PROVIDER_KEY"]


@pytest.mark.parametrize("name", REFUSED)
def test_names_that_are_not_keys_are_refused_with_a_reason(name: str) -> None:
    why = keys.refusal(name)
    assert why.startswith(name) and ("API key" in why)


@pytest.mark.parametrize("name", ALLOWED)
def test_names_that_look_like_keys_are_allowed(name: str) -> None:
    assert keys.refusal(name) == ""


def test_a_setting_allows_exact_names_but_never_our_own(settings) -> None:
    settings.API_KEY_ENV_ALLOWED = ["OLLAMA_PASSPHRASE"]
    assert keys.refusal("OLLAMA_PASSPHRASE") == ""
    assert keys.refusal("OLLAMA_PASSPHRASE_2") != ""


def test_a_provider_naming_database_url_fails_validation(db) -> None:
    provider = Provider(name="Evil", slug="evil", base_url="https://evil.example", api_key_env="DATABASE_URL")
    with pytest.raises(ValidationError) as caught:
        provider.full_clean()
    assert "one of statuspage's own settings" in caught.value.message_dict["api_key_env"][0]


def test_a_monitor_naming_secret_key_in_its_options_fails_validation(provider) -> None:
    monitor = Monitor(provider=provider, name="m", kind="openai", url="https://x.example/v1",
                      options={"api_key_env": "SECRET_KEY"})  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        monitor.full_clean()
    assert "SECRET_KEY is one of statuspage's own settings" in caught.value.message_dict["options"][0]


def test_a_row_saved_around_validation_still_never_reads_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/prod")
    provider = Provider(name="Evil", slug="evil", base_url="https://evil.example", api_key_env="DATABASE_URL")
    spec = Monitor(provider=provider, name="m", kind="openai", url="https://evil.example/v1").to_spec()
    assert spec.api_key == ""
    assert spec.refused.startswith("DATABASE_URL is one of statuspage's own settings")


def test_any_name_our_settings_hold_is_refused_even_if_it_looks_like_a_key(settings) -> None:
    settings.PARTNER_WEBHOOK_TOKEN = "x"  # a future setting with a key-like name
    assert "one of statuspage's own settings" in keys.refusal("PARTNER_WEBHOOK_TOKEN")
