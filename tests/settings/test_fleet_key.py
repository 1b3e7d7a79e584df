"""The demo fleet of `make run` takes its API key from the environment, so `ps` never shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from statuspage.run.__main__ import ROOT

KEY = "sk-from-the-environment-4242"


@pytest.fixture
def fleet_from_env() -> Iterator[tuple[subprocess.Popen, str]]:
    """One fake OpenAI provider whose key is only in FAKEPROVIDER_API_KEY; yields it and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "monitors.fakeprovider", "--providers", "openai-sim:openai:0",
         "--control-port", "0", "--exit-on-stdin-eof"],
        cwd=ROOT, env={**os.environ, "FAKEPROVIDER_API_KEY": KEY},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()  # "fakeprovider openai-sim (openai) listening on <url>"
        assert "listening on " in first, first
        yield process, first.split("listening on ")[1].strip()
    finally:
        process.stdin.close()
        process.terminate()
        process.wait(10)
        process.stdout.close()


def test_the_fleet_key_comes_from_the_environment_and_not_the_command_line(fleet_from_env) -> None:
    process, url = fleet_from_env
    command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
    assert KEY not in command_line

    def models(key: str) -> httpx.Response:
        return httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=5)

    assert models(KEY).status_code == 200
    refused = models("sk-fake")  # the built-in default no longer applies once the environment names a key
    assert refused.status_code == 401, json.dumps(refused.json())
