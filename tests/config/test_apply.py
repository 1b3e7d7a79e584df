"""`manage.py apply`: a plan, one transaction, idempotent, managed rows marked, --prune pauses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from monitors.models import Monitor, MonitorStatus, ProbeResult, Provider
from statuspage.components.models import Component, ComponentGroup
from statuspage.config.models import ManagedObject

TWO_PROVIDERS = """\
providers:
  - openai
  - catalog: anthropic
    interval: 120
    regions: [eu, us]
"""


def test_apply_prints_a_plan_and_creates_what_it_names(apply_file, keys) -> None:
    out = apply_file(TWO_PROVIDERS)
    assert "create  provider OpenAI" in out and "create  provider Anthropic" in out
    assert "create  component group Anthropic" in out
    assert "create  component Anthropic · Chat" in out
    assert out.rstrip().endswith("Applied.")
    anthropic = Monitor.objects.get(name="Anthropic chat claude-haiku-4-5-20251001")
    assert (anthropic.interval_s, anthropic.regions, anthropic.slow_ttft_ms) == (120, ["eu", "us"], 3000)
    assert Monitor.objects.count() == 6


def test_applying_the_same_file_again_changes_nothing(apply_file, keys) -> None:
    apply_file(TWO_PROVIDERS)
    rows = list(Monitor.objects.values_list("pk", "interval_s", "options").order_by("pk"))
    again = apply_file(TWO_PROVIDERS)
    assert again.startswith("Plan: nothing to change.")
    assert list(Monitor.objects.values_list("pk", "interval_s", "options").order_by("pk")) == rows


def test_a_changed_override_is_planned_as_a_change_of_that_field(apply_file, keys) -> None:
    apply_file(TWO_PROVIDERS)
    out = apply_file(TWO_PROVIDERS.replace("interval: 120", "interval: 300"))
    assert "change  monitor Anthropic / Anthropic chat claude-haiku-4-5-20251001" in out
    assert "interval_s: 120 -> 300" in out
    assert "OpenAI" not in out.split("Probe cost")[0]  # the untouched provider is not in the plan


def test_a_dry_run_prints_the_plan_and_changes_nothing(apply_file, keys) -> None:
    out = apply_file(TWO_PROVIDERS, "--dry-run")
    assert "create  monitor OpenAI / OpenAI chat gpt-4o-mini" in out
    assert out.rstrip().endswith("Dry run: nothing was changed.")
    assert not Provider.objects.exists() and not Monitor.objects.exists()
    assert not ComponentGroup.objects.exists() and not ManagedObject.objects.exists()


def test_applied_rows_are_marked_as_managed_by_the_file(apply_file, keys) -> None:
    apply_file(TWO_PROVIDERS)
    chat = Monitor.objects.get(name="OpenAI chat gpt-4o-mini")
    mark = ManagedObject.objects.get(kind="monitor", object_id=chat.pk)
    assert mark.source.endswith("statuspage.yaml")
    kinds = set(ManagedObject.objects.values_list("kind", flat=True))
    assert kinds == {"provider", "monitor", "group", "component"}


def test_prune_pauses_what_the_file_no_longer_names_and_keeps_its_history(apply_file, keys) -> None:
    apply_file(TWO_PROVIDERS)
    gone = Monitor.objects.get(name="Anthropic chat claude-haiku-4-5-20251001")
    ProbeResult.objects.create(monitor=gone, started_at=timezone.now(), region="eu", outcome="ok")
    only_openai = "providers:\n  - openai\n"

    without_prune = apply_file(only_openai)
    assert "pause" not in without_prune and Monitor.objects.get(pk=gone.pk).enabled

    out = apply_file(only_openai, "--prune")
    assert "pause   monitor Anthropic / Anthropic chat claude-haiku-4-5-20251001" in out
    assert "no longer in the file" in out
    gone.refresh_from_db()
    assert (gone.enabled, gone.status) == (False, MonitorStatus.PAUSED)
    assert ProbeResult.objects.filter(monitor=gone).count() == 1  # history is never deleted
    assert Monitor.objects.filter(provider__slug="openai", enabled=True).count() == 3

    back = apply_file(TWO_PROVIDERS)
    assert "resume  monitor Anthropic / Anthropic chat claude-haiku-4-5-20251001" in back
    assert Monitor.objects.get(pk=gone.pk).enabled


def test_prune_leaves_monitors_made_by_hand_alone(apply_file, keys, make_monitor) -> None:
    by_hand = make_monitor(name="made in admin")
    apply_file("providers:\n  - openai\n", "--prune")
    assert Monitor.objects.get(pk=by_hand.pk).enabled


def test_custom_providers_and_monitors_feed_the_components_they_name(apply_file, keys) -> None:
    apply_file(
        """\
providers:
  - name: Internal gateway
    slug: gateway
    base_url: https://gateway.example.com/v1
    key_env: OPENAI_API_KEY
monitors:
  - provider: gateway
    name: gateway health
    kind: http
    url: https://gateway.example.com/health
    interval: 30
    options: {conditions: [{field: status, op: "==", value: 200}]}
    components: [{group: Gateway, name: Health}]
"""
    )
    monitor = Monitor.objects.get(name="gateway health")
    assert (monitor.kind, monitor.interval_s, monitor.provider.api_key_env) == ("http", 30, "OPENAI_API_KEY")
    component = Component.objects.get(name="Health", group__name="Gateway")
    assert list(component.monitors.all()) == [monitor]


def test_export_then_apply_changes_nothing(apply_file, keys, tmp_path) -> None:
    call_command("seed_demo", stdout=None)  # hand-made rows (the demo) beside managed ones
    apply_file(TWO_PROVIDERS)
    exported = tmp_path / "exported.yaml"
    call_command("export", str(exported))
    before = exported.read_text()
    out = apply_file(before, name="exported.yaml")
    assert out.startswith("Plan: nothing to change."), out
    call_command("export", str(exported))
    assert exported.read_text() == before


def test_export_keeps_a_paused_monitor_paused(apply_file, keys, tmp_path) -> None:
    apply_file(TWO_PROVIDERS)
    apply_file("providers:\n  - openai\n", "--prune")
    exported = tmp_path / "exported.yaml"
    call_command("export", str(exported))
    assert "enabled: false" in exported.read_text()
    assert apply_file(exported.read_text(), name="exported.yaml").startswith("Plan: nothing to change.")


def test_an_unreadable_file_is_a_clear_error(db) -> None:
    with pytest.raises(CommandError, match=r"cannot read /nonexistent\.yaml"):
        call_command("apply", "/nonexistent.yaml")


def test_thresholds_and_component_names_are_overrides_too(apply_file, keys) -> None:
    apply_file(
        """\
providers:
  - catalog: groq
    group: Inference
    thresholds: {confirm_down: 3, quorum: 2}
    components: {chat: Llama chat, models: null}
"""
    )
    chat = Monitor.objects.get(name="Groq chat llama-3.1-8b-instant")
    assert (chat.options["confirm_down"], chat.thresholds().quorum) == (3, 2)
    group = ComponentGroup.objects.get(name="Inference")
    assert list(group.components.values_list("name", flat=True)) == ["Llama chat"]  # models feeds none
