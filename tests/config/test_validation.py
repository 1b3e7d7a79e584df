"""A file with mistakes changes nothing, and each mistake is named by line and field."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from monitors.models import Monitor, Provider


def errors(apply_file, text: str) -> str:
    with pytest.raises(CommandError) as caught:
        apply_file(text)
    assert not Provider.objects.exists() and not Monitor.objects.exists(), "an invalid file changes nothing"
    return str(caught.value)


def test_a_misspelt_field_names_its_line_and_the_known_fields(apply_file, keys) -> None:
    message = errors(apply_file, "providers:\n  - openai\n  - catalog: anthropic\n    intervl: 60\n")
    assert "statuspage.yaml:4: providers[1].intervl: unknown field 'intervl'; known: " in message
    assert "interval" in message


def test_an_unknown_catalog_provider_names_the_ones_there_are(apply_file, keys) -> None:
    message = errors(apply_file, "providers:\n  - opnai\n")
    assert "statuspage.yaml:2: providers[0].catalog: unknown provider 'opnai'; the catalog has " in message
    assert "openai" in message


def test_an_unknown_key_variable_is_named(apply_file, keys) -> None:
    message = errors(apply_file, "providers:\n  - catalog: openai\n    key_env: WORK_OPENAI_API_KEY\n")
    assert (
        "statuspage.yaml:3: providers[0].key_env: unknown key variable WORK_OPENAI_API_KEY: "
        "it is not set in this environment"
    ) in message


def test_a_catalog_provider_whose_key_is_not_set_says_so(apply_file, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert "unknown key variable OPENAI_API_KEY" in errors(apply_file, "providers:\n  - openai\n")


@pytest.mark.parametrize("name", ["DATABASE_URL", "SECRET_KEY", "REDIS_URL", "EMAIL_HOST_PASSWORD", "HOME"])
def test_a_key_variable_that_is_not_a_key_is_refused(apply_file, keys, monkeypatch, name) -> None:
    monkeypatch.setenv(name, "something")
    message = errors(apply_file, f"providers:\n  - catalog: openai\n    key_env: {name}\n")
    assert f"statuspage.yaml:3: providers[0].key_env: {name} " in message


def test_a_wrong_type_and_an_unknown_monitor_provider_are_both_reported(apply_file, keys) -> None:
    message = errors(
        apply_file,
        """\
providers:
  - catalog: openai
    interval: fast
monitors:
  - provider: nobody
    name: x
    kind: teleport
    url: https://example.com
""",
    )
    assert (
        "statuspage.yaml:3: providers[0].interval: expected seconds (a whole number), got 'fast'" in message
    )
    assert (
        "statuspage.yaml:5: monitors[0].provider: unknown provider 'nobody'; this file names openai"
        in message
    )
    assert "statuspage.yaml:7: monitors[0].kind: unknown probe kind 'teleport'" in message


def test_a_template_entry_without_its_values_is_refused(apply_file, keys, monkeypatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
    message = errors(apply_file, "providers:\n  - catalog: azure-openai\n    values: {resource: acme}\n")
    assert "statuspage.yaml:3: providers[0].values: azure-openai needs 'deployment'" in message


def test_broken_yaml_names_its_line(apply_file) -> None:
    message = errors(apply_file, "providers:\n  - openai\n  bad: [\n")
    assert "statuspage.yaml:" in message and "not valid YAML" in message


def test_unknown_thresholds_and_probe_roles_are_named(apply_file, keys) -> None:
    message = errors(
        apply_file,
        "providers:\n  - catalog: openai\n    thresholds: {confirm_dwn: 3}\n"
        "    components: {embeddings: E}\n",
    )
    assert "yaml:3: providers[0].thresholds.confirm_dwn: unknown field 'confirm_dwn'" in message
    assert "yaml:4: providers[0].components.embeddings: unknown probe role 'embeddings'" in message
