"""`make run` starts the worker and beat again when they exit on their own, instead of stopping all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from statuspage.run.__main__ import RESPAWN, ROOT, processes
from tests.processes import wait_for

# Counts its runs in a file; exits with 3 on the first `crashes` runs, then stays up.
FLAKY = (
    "import pathlib, sys, time\n"
    "runs = pathlib.Path(sys.argv[1]); crashes = int(sys.argv[2])\n"
    "done = len(runs.read_text().splitlines()) if runs.exists() else 0\n"
    "runs.write_text('run\\n' * (done + 1))\n"
    "sys.exit(3) if done < crashes else time.sleep(60)\n"
)


@pytest.fixture
def respawn(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Starts `respawn` on the flaky command in a process group of its own, as honcho does."""
    started: list[subprocess.Popen] = []

    def start(crashes: int, min_delay_s: float) -> subprocess.Popen:
        argv = [sys.executable, "-m", "statuspage.run.respawn", "--min-delay-s", str(min_delay_s), "--",
                sys.executable, "-c", FLAKY, str(tmp_path / "runs"), str(crashes)]  # fmt: skip
        with (tmp_path / "log").open("wb") as log:
            process = subprocess.Popen(argv, cwd=ROOT, stderr=log, start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def runs(tmp_path: Path) -> int:
    path = tmp_path / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_command_that_exits_is_started_again_with_a_growing_pause(respawn, tmp_path) -> None:
    supervisor = respawn(crashes=2, min_delay_s=0.2)
    wait_for(lambda: runs(tmp_path) == 3, "the third run")
    log = (tmp_path / "log").read_text()
    assert "exited with code 3 after 0s; restart 1 in 0.2s" in log
    assert "restart 2 in 0.4s" in log
    assert supervisor.poll() is None

    os.killpg(supervisor.pid, signal.SIGTERM)  # how honcho stops a process, on Ctrl-C or another's exit
    assert supervisor.wait(10) == 128 + signal.SIGTERM
    assert runs(tmp_path) == 3  # stopped on request: not started again


def test_a_stop_during_the_pause_ends_it_without_a_restart(respawn, tmp_path) -> None:
    supervisor = respawn(crashes=99, min_delay_s=30)
    wait_for(lambda: "restart 1 in 30s" in (tmp_path / "log").read_text(), "the first exit")
    os.killpg(supervisor.pid, signal.SIGTERM)
    assert supervisor.wait(5) == 3
    assert runs(tmp_path) == 1


def test_make_run_keeps_the_worker_and_beat_going() -> None:
    found = processes({"EMAIL_HOST": "smtp.example.com", "DEMO_FLEET_API_KEY": "sk-x"}, 8000, 9100)
    assert found["worker"].startswith(f"{RESPAWN} ") and " worker " in found["worker"]
    assert found["beat"].startswith(f"{RESPAWN} ") and " beat " in found["beat"]
    assert found["deliveries"].startswith(f"{RESPAWN} ") and " -Q deliveries " in found["deliveries"]
    assert "deliveries" not in found["worker"]
