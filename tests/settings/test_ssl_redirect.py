"""SECURE_SSL_REDIRECT comes from the environment, so `check --deploy` can be made clean (W008)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"STATUSPAGE_ENV": "production", "SECRET_KEY": "x" * 50, "DEBUG": "false"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_a_bad_value_is_one_clear_configuration_error():
    result = manage("check", STATUSPAGE_ENV="development", SECURE_SSL_REDIRECT="sometimes")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "statuspage: configuration error: SECURE_SSL_REDIRECT='sometimes' is not a boolean; use true or false"
    )


def test_deploy_check_warns_until_the_redirect_is_enabled():
    assert "security.W008" in manage("check", "--deploy", **PRODUCTION).stderr
    assert "security.W008" not in manage("check", "--deploy", **PRODUCTION, SECURE_SSL_REDIRECT="true").stderr


def test_debug_is_refused_in_production_with_one_line():
    result = manage("check", **{**PRODUCTION, "DEBUG": "true"})
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "statuspage: configuration error: DEBUG=true is refused in production; "
        "set STATUSPAGE_ENV=development to debug"
    )
