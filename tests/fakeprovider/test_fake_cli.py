"""The command line: fleet definitions, startup lines, clean shutdown, clear failures."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from monitors.fakeprovider.__main__ import main
from monitors.fakeprovider.fleet import demo_fleet, load_fleet_file, parse_specs
from monitors.fakeprovider.provider import ProviderSpec

ROOT = Path(__file__).resolve().parents[2]


def launch(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "monitors.fakeprovider", *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_specs_parse_with_optional_key() -> None:
    assert parse_specs("a:openai:9101, b:anthropic:9102:sk-b") == [
        ProviderSpec("a", "openai", 9101),
        ProviderSpec("b", "anthropic", 9102, "sk-b"),
    ]


@pytest.mark.parametrize("text", ["a:openai", "a:klingon:1", "a:openai:x", "a:openai:1,a:gemini:2"])
def test_bad_specs_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_specs(text)


def test_fleet_file_json_and_toml(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{"providers": [{"name": "a", "kind": "gemini", "port": 1}]}')
    (tmp_path / "f.toml").write_text('[[providers]]\nname = "a"\nkind = "gemini"\nport = 1\napi_key = "k"\n')
    assert load_fleet_file(tmp_path / "f.json") == [ProviderSpec("a", "gemini", 1)]
    assert load_fleet_file(tmp_path / "f.toml") == [ProviderSpec("a", "gemini", 1, "k")]


def test_demo_fleet_has_one_provider_of_each_kind() -> None:
    assert {(s.name, s.kind) for s in demo_fleet()} == {
        ("openai-sim", "openai"),
        ("deepseek-sim", "deepseek"),
        ("anthropic-sim", "anthropic"),
        ("gemini-sim", "gemini"),
    }


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_prints_one_line_per_listener_and_stops_cleanly(signum: int) -> None:
    process = launch("--providers", "a:openai:0,b:gemini:0", "--control-port", "0")
    assert process.stdout is not None
    lines = [process.stdout.readline().strip() for _ in range(3)]
    assert lines[0].startswith("fakeprovider a (openai) listening on http://127.0.0.1:")
    assert lines[1].startswith("fakeprovider b (gemini) listening on http://127.0.0.1:")
    assert lines[2].startswith("fakeprovider control listening on http://127.0.0.1:")
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=5)
    assert process.returncode == 0 and "Traceback" not in stderr


def test_busy_port_fails_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["--providers", f"a:openai:{busy.getsockname()[1]}", "--control-port", "0"]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--providers", "a:klingon:0"]) == 2
    assert "unknown provider kind" in capsys.readouterr().err
