"""`make run` applies the file STATUSPAGE_CONFIG names instead of seeding the demo; the demo stays the
default when nothing is configured."""

from __future__ import annotations

import pytest

from monitors.models import Monitor, Provider
from statuspage.run.__main__ import seed


@pytest.fixture
def admin_password_in(settings, tmp_path):
    settings.BASE_DIR = tmp_path  # seed_demo keeps the admin password under BASE_DIR/var


def test_without_a_configuration_make_run_seeds_the_demo_fleet(db, admin_password_in, settings) -> None:
    settings.STATUSPAGE_CONFIG = ""
    seed(fleet_base_port=9101)
    assert set(Provider.objects.values_list("slug", flat=True)) == {
        "openai-sim", "deepseek-sim", "anthropic-sim", "gemini-sim",
    }  # fmt: skip


def test_a_configuration_replaces_the_demo(db, admin_password_in, settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    config = tmp_path / "statuspage.yaml"
    config.write_text("providers:\n  - openai\n")
    settings.STATUSPAGE_CONFIG = str(config)
    seed(fleet_base_port=9101)
    assert list(Provider.objects.values_list("slug", flat=True)) == ["openai"]
    assert Monitor.objects.filter(provider__slug="openai").count() == 3


def test_a_broken_configuration_stops_make_run_with_its_errors(
    db, admin_password_in, settings, tmp_path
) -> None:
    config = tmp_path / "statuspage.yaml"
    config.write_text("providers:\n  - opnai\n")
    settings.STATUSPAGE_CONFIG = str(config)
    with pytest.raises(SystemExit) as stopped:
        seed(fleet_base_port=9101)
    assert "statuspage: STATUSPAGE_CONFIG: " in str(stopped.value)
    assert "statuspage.yaml:2: providers[0].catalog: unknown provider 'opnai'" in str(stopped.value)
    assert not Provider.objects.exists()
