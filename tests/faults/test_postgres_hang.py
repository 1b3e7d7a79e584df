"""Postgres hung (SIGSTOP: connections accepted, never answered): readers get the last snapshot, marked
stale within PAGE_RETRY_SECONDS + 1 s, and no request waits much more than a second."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil
import pytest

from statuspage.run.embedded import EmbeddedPostgres
from tests.public.test_outage import environment, stop, web

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
STALE = "Live data is temporarily unavailable"
RETRY_S = 0.5  # PAGE_RETRY_SECONDS in environment()


@contextmanager
def hung(server: EmbeddedPostgres) -> Iterator[None]:
    """Every process of our own Postgres stopped, resumed however the test ends. Its backends each
    have a session of their own, so they are found as the postmaster's children, not its group."""
    postmaster = psutil.Process(server.process.pid)
    processes = [postmaster, *postmaster.children()]
    for process in processes:
        process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGCONT)


def timed_get(url: str) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.get(url, timeout=30)
    return time.monotonic() - started, response


def test_a_hung_postgres_gives_the_stale_notice_in_time_and_no_long_waits(postgres):
    server, database_url = postgres
    process, base = web(environment(database_url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")))
    try:
        assert STALE not in httpx.get(base + "/").text
        waits: list[float] = []
        with hung(server):
            frozen = time.monotonic()
            noticed = None
            while time.monotonic() - frozen < 8:
                wait, page = timed_get(base + "/")
                waits.append(wait)
                assert page.status_code == 200
                if STALE in page.text and noticed is None:
                    noticed = time.monotonic() - frozen
        assert noticed is not None and noticed <= RETRY_S + 1, f"stale notice after {noticed} s"
        # A health check (0.3 s) then a connection attempt (0.5 s) is the longest wait; a query's
        # deadline is 1.1 s. On this shared machine, allow for scheduling delays on top.
        assert max(waits) < 1.5, f"a page request waited {max(waits):.2f} s"
        deadline = time.monotonic() + 15
        while STALE in httpx.get(base + "/").text:
            assert time.monotonic() < deadline, "the page stayed stale after Postgres resumed"
            time.sleep(0.2)
    finally:
        stop(process)
