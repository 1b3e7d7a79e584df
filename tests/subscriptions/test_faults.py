"""Faults lose nothing: a delivery worker SIGKILLed mid-fan-out, or an SMTP server stalling a reply, re-sends
at most what it had in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from statuspage.subscriptions import tasks
from statuspage.subscriptions.models import Delivery

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.django_db(transaction=True)]
WORKER_PROCESSES = 2  # --concurrency of Worker


class Worker:
    """A real Celery worker (two processes) on a queue of its own, against the test database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-Q", self.env["DELIVERY_QUEUE"],
             "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--hostname", f"faults-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # its own process group: SIGKILL takes the pool children too
        )  # fmt: skip
        for line in self.proc.stderr:
            if " ready." in line:
                break
        else:
            raise RuntimeError("the Celery worker exited before it was ready")
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:  # a warm shutdown that hangs must not outlive the test
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(20)


@pytest.fixture
def worker_env(smtp, settings, delivery_queue) -> dict[str, str]:
    test_db = connection.settings_dict["NAME"]
    return dict(
        os.environ,
        STATUSPAGE_ENV="test",
        # The server and credentials of DATABASE_URL, the test database's name.
        DATABASE_URL=urlunsplit(urlsplit(settings.DATABASE_URL)._replace(path=f"/{test_db}")),
        REDIS_URL=settings.REDIS_URL,
        DELIVERY_QUEUE=delivery_queue.name,
        DELIVERY_BATCH_SIZE="20",
        DELIVERY_LEASE_SECONDS="2",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        LOG_LEVEL="WARNING",
    )


def wait_for(predicate, timeout: float, *, tick=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        if tick:
            tick()  # stands in for Celery beat's sweep
        time.sleep(0.3)


def test_a_worker_killed_mid_fan_out_loses_nothing(worker_env, smtp, components, make_subscriber, publish):
    subscribers = [make_subscriber() for _ in range(300)]
    smtp.mailbox.delay = 0.005  # long enough a fan-out to kill a worker in the middle of it
    first = Worker(worker_env)
    first.start()
    try:
        publish(components["Chat"])  # commits: the doorbell rings on the worker's queue
        wait_for(lambda: len(smtp.mailbox.messages) >= 100, 60)
        first.kill(signal.SIGKILL)
    finally:
        first.kill()
    time.sleep(0.2)
    accepted_at_kill = len(smtp.mailbox.messages)
    marked_at_kill = Delivery.objects.filter(state="sent").count()
    assert accepted_at_kill < len(subscribers), "the kill came too late to prove anything"

    second = Worker(worker_env)
    second.start()
    try:
        wait_for(
            lambda: Delivery.objects.filter(state="sent").count() == len(subscribers), 90, tick=tasks.sweep
        )
    finally:
        second.kill(signal.SIGTERM)

    received = Counter(m["X-Envelope-To"] for m in smtp.mailbox.messages)
    in_flight = accepted_at_kill - marked_at_kill  # accepted by the server, not yet marked sent
    assert set(received) == {s.email for s in subscribers}  # none is missing
    # Re-sent: at most what was accepted but not yet marked, the one message in flight per process.
    assert sum(received.values()) - len(received) <= in_flight <= WORKER_PROCESSES
    assert not Delivery.objects.exclude(state="sent").exists()


def test_an_smtp_server_stalling_after_data_costs_one_retry_and_holds_up_no_one_else(
    worker_env, smtp, components, make_subscriber, publish
):
    subscribers = [make_subscriber() for _ in range(10)]
    stalled = subscribers[0].email  # first in the batch: everyone else is sent after the stall
    smtp.mailbox.stall = {stalled}  # the server keeps the message and never says so
    worker = Worker(worker_env | {"EMAIL_TIMEOUT": "2", "DELIVERY_BACKOFF_SECONDS": "0.5"})
    worker.start()
    try:
        publish(components["Chat"])
        wait_for(
            lambda: Delivery.objects.filter(state="sent").count() == len(subscribers), 60, tick=tasks.sweep
        )
    finally:
        worker.kill(signal.SIGTERM)

    # Everything was delivered while the server still held its reply: the send gave up at its timeout.
    assert smtp.mailbox.stalling == 1
    received = Counter(m["X-Envelope-To"] for m in smtp.mailbox.messages)
    assert set(received) == {s.email for s in subscribers}  # none is missing
    # One duplicate: the message the server accepted and never acknowledged, sent again.
    assert received[stalled] == 2 and sum(received.values()) == len(subscribers) + 1
    attempts = dict(Delivery.objects.values_list("subscriber__email", "attempts"))
    assert attempts.pop(stalled) == 2
    # Nobody else waited for a retry: each was sent at its first attempt, on a fresh connection.
    assert set(attempts.values()) == {1}
