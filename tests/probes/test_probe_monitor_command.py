"""`manage.py probe_monitor <id|url>`: one probe now, its measurements and outcome printed, nothing stored."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitors.models import Monitor, ProbeResult, Provider
from probes.kit import KEY
from tests.fakefleet import FakeFleet


def run(*args: str) -> tuple[str, int]:
    """The command's output and exit status."""
    out = StringIO()
    try:
        call_command("probe_monitor", *args, stdout=out, no_color=True)
    except SystemExit as exc:
        return out.getvalue(), int(exc.code)
    return out.getvalue(), 0


def fields(output: str) -> dict[str, str]:
    rows = [line.split(None, 1) for line in output.splitlines()[1:]]
    return {label: value for label, value in rows}


@pytest.fixture
def chat_monitor(db, fleet: FakeFleet, monkeypatch: pytest.MonkeyPatch) -> Monitor:
    monkeypatch.setenv("PROBE_TEST_KEY", KEY)
    provider = Provider.objects.create(
        name="openai-sim", slug="openai-sim", base_url=fleet.url("openai-sim"), api_key_env="PROBE_TEST_KEY"
    )
    return Monitor.objects.create(
        provider=provider, name="chat", kind="openai", url=fleet.api_base("openai-sim"), model="gpt-4o-mini",
        stream=True, options={"headers": {"X-Fake-TTFT-Ms": "30"}},
    )  # fmt: skip


def test_probes_a_stored_monitor_and_prints_what_it_measured(chat_monitor: Monitor) -> None:
    output, status = run(str(chat_monitor.pk))
    assert status == 0
    assert (
        output.splitlines()[0]
        == f"monitor {chat_monitor.pk}: openai {chat_monitor.url}, model gpt-4o-mini, streamed"
    )
    shown = fields(output)
    assert shown["outcome"] == "ok" and shown["http"] == "200"
    assert float(shown["ttft"].removesuffix(" ms")) >= 30
    assert shown["tokens"] == "1 (from usage)"
    assert {"connect", "ttfb", "total", "region"} <= shown.keys()
    assert KEY not in output
    assert not ProbeResult.objects.exists()  # a look, not a result: nothing stored, no status moved


def test_probes_a_url_with_a_key_from_the_environment(fleet: FakeFleet, monkeypatch) -> None:
    monkeypatch.setenv("PROBE_TEST_KEY", KEY)
    url = fleet.url("anthropic-sim")
    output, status = run(
        url,
        "--kind",
        "anthropic",
        "--model",
        "claude-haiku-4-5",
        "--stream",
        "--api-key-env",
        "PROBE_TEST_KEY",
    )
    assert status == 0
    assert output.startswith(f"url: anthropic {url}, model claude-haiku-4-5, streamed\n")
    assert fields(output)["outcome"] == "ok"
    assert KEY not in output


def test_a_failing_probe_prints_its_reason_and_exits_1(fleet: FakeFleet, monkeypatch) -> None:
    monkeypatch.setenv("PROBE_TEST_KEY", KEY)
    output, status = run(
        fleet.api_base("openai-sim"), "--kind", "openai", "--model", "gpt-4o-mini",
        "--api-key-env", "PROBE_TEST_KEY", "--header", "X-Fake-Fault: overloaded",
    )  # fmt: skip
    assert status == 1
    shown = fields(output)
    assert (shown["outcome"], shown["http"], shown["error"]) == ("overloaded", "503", "server_is_overloaded")
    assert shown["message"] == "HTTP 503: Model temporarily overloaded"


def test_a_wrong_key_is_an_auth_error_and_never_printed(fleet: FakeFleet, monkeypatch) -> None:
    secret = "sk-proj-NotTheRightKey0123456789"
    monkeypatch.setenv("PROBE_TEST_KEY", secret)
    output, status = run(
        fleet.api_base("openai-sim"),
        "--kind",
        "openai",
        "--model",
        "gpt-4o-mini",
        "--api-key-env",
        "PROBE_TEST_KEY",
    )
    assert (status, fields(output)["outcome"]) == (1, "auth_error")
    assert secret not in output


def test_json_output_is_the_whole_observation(fleet: FakeFleet) -> None:
    output, status = run(fleet.url("gemini-sim") + "/health", "--json")
    observation = json.loads(output)
    assert (status, observation["outcome"], observation["http_status"]) == (0, "ok", 200)
    assert observation["total_ms"] > 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["999999"], "no monitor with id 999999"),
        (["ftp://example.com/"], "expected a monitor id or an http(s) URL, got 'ftp://example.com/'"),
        (
            ["http://127.0.0.1:9/", "--api-key-env", "PROBE_TEST_UNSET"],
            "environment variable PROBE_TEST_UNSET is not set",
        ),
        (["http://127.0.0.1:9/", "--header", "no colon"], "--header takes 'Name: value', got 'no colon'"),
        (["http://127.0.0.1:9/", "--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["http://127.0.0.1:9/", "--kind", "carrier-pigeon"], "invalid choice: 'carrier-pigeon'"),
    ],
)
def test_bad_input_is_a_clear_error(db, args: list[str], error: str) -> None:
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        call_command("probe_monitor", *args, stdout=StringIO())
