"""`make run` catches mail locally when no SMTP server is configured, so a newcomer can click the links."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend

from statuspage.components.management.commands.seed_demo import DEMO_FLEET
from statuspage.run.__main__ import ROOT, SMTP_SETTINGS, port_setting, processes, serve_defaults
from statuspage.run.embedded import EmbeddedError
from statuspage.run.mailcatcher import printable

CONFIRM = "http://127.0.0.1:8000/subscriptions/confirm/AbC123?next=%2Fhistory&utm=1"
KEY = {"DEMO_FLEET_API_KEY": "sk-fake"}  # `serve` sets it before it lists the processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def catcher_argv(port: int, directory: Path) -> list[str]:
    return [sys.executable, "-m", "statuspage.run.mailcatcher", "--port", str(port), "--directory", directory]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the mail catcher did not listen on {port}")


def send_confirmation(port: int) -> None:
    """A message shaped like the app's: a text body and an HTML alternative, a non-ASCII subject."""
    message = EmailMultiAlternatives(
        subject="Confirm your subscription — AI Status",
        body=f"Hello,\n\nconfirm here: {CONFIRM}.\n\nManage: http://127.0.0.1:8000/manage/x\n",
        from_email="AI Status <status@example.com>",
        to=["alice@example.com"],
        connection=EmailBackend(host="127.0.0.1", port=port, timeout=5),
    )
    link = CONFIRM.replace("&", "&amp;")
    message.attach_alternative(f'<p><a href="{link}">Confirm</a></p>', "text/html")
    assert message.send() == 1


def test_the_catcher_receives_over_smtp_prints_the_links_and_keeps_the_message(tmp_path: Path) -> None:
    port = free_port()
    catcher = subprocess.Popen(
        catcher_argv(port, tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_port(port, catcher)
        send_confirmation(port)
    finally:
        catcher.send_signal(signal.SIGTERM)
        out, err = catcher.communicate(timeout=10)

    assert catcher.returncode == 0, err
    [kept] = tmp_path.glob("*.eml")
    assert f"message kept in {kept}" in out
    assert "  From:    AI Status <status@example.com>\n" in out
    assert "  To:      alice@example.com\n" in out
    assert "  Subject: Confirm your subscription — AI Status\n" in out
    # From the text body, in order, each once, without the sentence's full stop.
    assert f"  Link:    {CONFIRM}\n  Link:    http://127.0.0.1:8000/manage/x\n" in out
    raw = kept.read_bytes()
    assert b"alice@example.com" in raw and b"multipart/alternative" in raw


def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            catcher_argv(port, tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"mail catcher: cannot listen on 127.0.0.1:{port}: ")


def test_message_text_cannot_send_terminal_escapes() -> None:
    assert printable("Subject \x1b]0;owned\x07 line") == "Subject ?]0;owned? line"


def test_make_run_starts_the_catcher_when_no_smtp_is_configured() -> None:
    port = free_port()
    env = {"MAIL_CATCHER_PORT": str(port), **KEY}
    command = processes(env, 8000, 9100)["mail"]
    assert command.endswith(f"-m statuspage.run.mailcatcher --port {port} --directory {ROOT}/var/mail")
    # Every process, the worker that sends mail included, gets the catcher's address.
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("127.0.0.1", str(port))


@pytest.mark.parametrize("setting", SMTP_SETTINGS)
def test_make_run_leaves_a_configured_smtp_server_alone(setting: str) -> None:
    env = {setting: "smtp.example.com", **KEY}
    assert "mail" not in processes(env, 8000, 9100)
    # Nothing is added for mail; only the demo fleet's key, which it reads from the environment.
    assert env == {setting: "smtp.example.com", **KEY, "FAKEPROVIDER_API_KEY": KEY["DEMO_FLEET_API_KEY"]}


def test_a_taken_catcher_port_stops_make_run_with_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbeddedError, match=f"port {port} for the local mail catcher is taken"):
            processes({"MAIL_CATCHER_PORT": str(port), **KEY}, 8000, 9100)


@pytest.mark.parametrize("value", ["smtp", "0", "70000"])
def test_a_bad_port_setting_is_one_clear_line(value: str) -> None:
    with pytest.raises(EmbeddedError, match=rf"^MAIL_CATCHER_PORT='{value}' is not a port number"):
        port_setting({"MAIL_CATCHER_PORT": value}, "MAIL_CATCHER_PORT", 1025)


def test_the_demo_fleet_listens_where_the_demo_monitors_probe() -> None:
    env = {"EMAIL_HOST": "smtp.example.com", "DEMO_FLEET_API_KEY": "sk-x"}
    fleet = processes(env, 8000, 19100)["fleet"]
    listed = fleet.split("--providers ")[1].split()[0].split(",")
    # seed_demo points its monitors at DEMO_FLEET in order, from the port after the control port.
    assert [(spec.split(":")[0], int(spec.split(":")[2])) for spec in listed] == [
        (name, port) for port, (name, *_) in enumerate(DEMO_FLEET, 19101)
    ]
    assert "--control-port 19100 " in fleet
    # The key reaches the fleet through its environment, not its command line (`ps` shows that).
    assert "sk-x" not in fleet and env["FAKEPROVIDER_API_KEY"] == "sk-x"


def test_links_in_emails_point_at_the_port_make_run_serves_on() -> None:
    env = {"PORT": "18000"}
    assert serve_defaults(env) == (18000, 9100)
    assert env["SITE_URL"] == "http://127.0.0.1:18000"
    configured = {"PORT": "18000", "SITE_URL": "https://status.example.com"}
    serve_defaults(configured)
    assert configured["SITE_URL"] == "https://status.example.com"
