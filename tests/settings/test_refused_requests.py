"""Requests Django refuses as suspicious answer 400 and log one WARNING line each, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The settings' own LOGGING, as the web process configures it; the requests need no database.
SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
print(client.get("/", HTTP_HOST="scanner.invalid").status_code)
print(client.post("/admin/login/", {f"f{i}": "x" for i in range(1500)}).status_code)
print(client.post("/subscribe", {"email": "a@example.com"}, HTTP_X_REAL_IP="not-an-ip").status_code)
"""


def test_bad_host_too_many_fields_and_a_junk_client_address_are_400_with_one_warning_each():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "statuspage.settings",
        "STATUSPAGE_ENV": "test",
        "SUBSCRIBE_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split() == ["400", "400", "400"]
    lines = [line for line in result.stderr.splitlines() if " django." in line or "Error" in line]
    assert "Traceback" not in result.stderr
    assert len(lines) == 3 and all(" WARNING django.security." in line for line in lines)
    assert "Invalid HTTP_HOST header: 'scanner.invalid'" in lines[0]
    assert "HTTP_X_REAL_IP is not an IP address" in lines[2]
