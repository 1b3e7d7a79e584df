"""Settings refuse junk values with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from statuspage.lib.env import ConfigError, env_bool, env_floats, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_int_refuses_negative_interval(monkeypatch):
    monkeypatch.setenv("DEFAULT_PROBE_INTERVAL", "-5")
    with pytest.raises(ConfigError, match="DEFAULT_PROBE_INTERVAL=-5 is below the minimum of 5"):
        env_int("DEFAULT_PROBE_INTERVAL", 60, minimum=5)


def test_env_bool_refuses_junk(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ConfigError, match="not a boolean"):
        env_bool("DEBUG", False)


def test_env_url_refuses_unparsable_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@host:notaport/db")
    with pytest.raises(ConfigError, match="DATABASE_URL is not a valid URL"):
        env_url("DATABASE_URL", "", schemes=("postgres",))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must start with postgres:// or postgresql://"),
        (
            "DATABASE_URL",
            "postgres://u@h:99999999999/d",
            "DATABASE_URL is not a valid URL (Port out of range 0-65535)",
        ),
        ("DEFAULT_PROBE_INTERVAL", "-1", "DEFAULT_PROBE_INTERVAL=-1 is below the minimum of 5"),
        ("SCHEDULER_TICK_SECONDS", "soon", "SCHEDULER_TICK_SECONDS='soon' is not a number"),
    ],
)
def test_manage_py_prints_one_clear_line_for_bad_configuration(name, value, message):
    env = {**os.environ, name: value, "STATUSPAGE_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert result.stderr.strip() == f"statuspage: configuration error: {message}"


def test_secret_key_is_required_in_production():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"STATUSPAGE_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stderr.strip() == "statuspage: configuration error: SECRET_KEY must be set"


def test_env_floats_reads_a_list_and_refuses_junk_in_it(monkeypatch):
    monkeypatch.setenv("CONFIRM_DELAYS_S", " 5, 10.5 ")
    assert env_floats("CONFIRM_DELAYS_S", "5,10", minimum=0.01) == (5.0, 10.5)
    monkeypatch.setenv("CONFIRM_DELAYS_S", "5,soon")
    with pytest.raises(ConfigError, match="CONFIRM_DELAYS_S='soon' is not a number"):
        env_floats("CONFIRM_DELAYS_S", "5,10")
    monkeypatch.setenv("CONFIRM_DELAYS_S", "5,0")
    with pytest.raises(ConfigError, match=r"CONFIRM_DELAYS_S=0\.0 is below the minimum of 0\.01"):
        env_floats("CONFIRM_DELAYS_S", "5,10", minimum=0.01)
