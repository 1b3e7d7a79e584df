"""Monitors-as-code tests: write a file, run `manage.py apply`, read what it printed and changed."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.fixture
def apply_file(tmp_path: Path, db) -> Callable[..., str]:
    """apply_file(text, *flags) -> what `manage.py apply` printed."""

    def run(text: str, *flags: str, name: str = "statuspage.yaml") -> str:
        path = tmp_path / name
        path.write_text(text)
        out = StringIO()
        call_command("apply", str(path), *flags, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The users of these tests have their providers' keys in the environment."""
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY", "DEMO_FLEET_API_KEY"):
        monkeypatch.setenv(name, "sk-test")
