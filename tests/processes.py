"""Helpers for tests that drive real processes: wait for what they do, stop them for good."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30, poll_s: float = 0.1) -> None:
    """Poll until `condition` holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(poll_s)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen, grace_s: float = 20) -> None:
    """SIGTERM (a Celery worker's warm shutdown), then SIGKILL if it has not exited within the grace."""
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
