"""Fault bench: faults injected by PID into a running product, and how long each takes to recover.

    python bench/faults.py [--only frozen,hung,redis,fanout,smtp_stall,trickle]

What runs is what `make run` runs (web, a probe worker, a delivery worker, beat, the simulated fleet),
each worker and beat under the respawn wrapper, on an embedded Postgres and Redis of the bench's own in
a temporary directory (never a shared server: those are what the faults stop and kill). Only the clock
is compressed: monitors probe every 5 s instead of the demo's 15 s and beat ticks every second, so
"intervals" below are 5 s; fault durations are scaled by the same factor (a 90 s freeze lasts 30 s).

  frozen   the probe worker (with its pool) SIGSTOPped 90 s: when summary.json stops claiming
           operational, in probe intervals (bar: 3), and when it is back after SIGCONT (bar: 1)
  hung     every Postgres process SIGSTOPped 60 s (not scaled): when the page shows the stale notice (bar:
           PAGE_RETRY_SECONDS + 1 s), page latency p50/p99/max while hung (bar: p99 < 1 s)
  redis    Redis SIGKILLed and started again: the probe worker's PID unchanged (stays up), the first
           probe after Redis is back (bar: 5 s), and a task queued before the crash still in its
           queue after it and run by a worker started afterwards
  fanout   the delivery worker SIGKILLed mid fan-out of 1,000 emails: lost (bar: 0), duplicates (bar:
           1 per killed pool process), all delivered how long after the kill (bar: 60 s)
  smtp_stall  an SMTP server that keeps the first message of a fan-out and never acknowledges it,
           EMAIL_TIMEOUT=3: lost (bar: 0), duplicates (bar: 1, that message), when the next message is
           accepted (bar: EMAIL_TIMEOUT + 1 s, nobody else waits out a backoff), all marked sent (the
           stalled one retried after its backoff) how long after the stall began (bar: 60 s)
  trickle  a webhook receiver trickling its reply a byte every 0.2 s, WEBHOOK_TIMEOUT=3: how long one
           send is held (bar: 3 s), and the longest gap between two probes of a monitor meanwhile
           (bar: an interval and a tick, i.e. no probe batch delayed)

Prints progress on stderr and the figures last, as one line of JSON; exits 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import Children  # noqa: E402 - after the path is set
from statuspage.run.__main__ import fleet_command  # noqa: E402
from statuspage.run.embedded import EmbeddedPostgres, EmbeddedRedis  # noqa: E402

PY = sys.executable
INTERVAL_S = 5.0
SCALE = INTERVAL_S / 15  # the demo probes every 15 s
PAGE_RETRY_S = 5.0
WEBHOOK_TIMEOUT_S = 3
EMAIL_TIMEOUT_S = 3
STALE = "Live data is temporarily unavailable"
DELAYED = "Monitoring delayed since"
RESPAWN = [PY, "-m", "statuspage.run.respawn", "--"]
CELERY = [PY, "-m", "celery", "-A", "statuspage"]
FAN_OUT = 1000
STALL_FAN_OUT = 50
ALL = ("frozen", "hung", "redis", "fanout", "smtp_stall", "trickle")


def note(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


_TAKEN: set[int] = set()


def free_port(span: int = 1) -> int:
    """A port with `span` free ports from it (the fleet's providers listen after its control port),
    none of them handed out before by this bench."""
    while True:
        if span == 1:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        else:  # below the ephemeral range, where no outgoing connection takes one meanwhile
            port = random.randrange(20_000, 30_000)
        ports = set(range(port, port + span))
        if port + span < 65_000 and not ports & _TAKEN and all(_free(n) for n in ports):
            _TAKEN.update(ports)
            return port


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_until(condition: Callable[[], bool], timeout: float, poll_s: float = 0.1) -> float | None:
    """Seconds until `condition` held, or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(poll_s)
    return None


def tree(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def signal_all(processes: list[psutil.Process], signum: int) -> None:
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signum)


class Stack:
    """The product, as make run starts it, on servers of its own."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.children = Children(tmp)
        self.pg = EmbeddedPostgres(tmp / "pg", free_port())
        self.redis = EmbeddedRedis(tmp / "redis", free_port())
        self.smtp_port = free_port()
        self.port = free_port()
        self.env: dict[str, str] = {}
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        database_url, redis_url = self.pg.start(), self.redis.start()
        fleet_port = free_port(span=5)  # the control port, then one per simulated provider
        self.env = {
            **os.environ,
            "STATUSPAGE_ENV": "development",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SITE_URL": self.base,
            "SCHEDULER_TICK_SECONDS": "1",
            "PAGE_RETRY_SECONDS": str(PAGE_RETRY_S),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT_S),
            "WEBHOOK_TIMEOUT": str(WEBHOOK_TIMEOUT_S),
            "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "true",
            "DEMO_FLEET_API_KEY": "sk-fake",
            "LOG_LEVEL": "INFO",
        }
        # The fleet without its scripted outage: every fault here is one the bench injects.
        fleet = [arg for arg in fleet_command(self.env, fleet_port).split() if arg != "--demo-scenario"]
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("seed_demo", "--fleet-base-port", str(fleet_port + 1))
        self.shell(
            "from django.utils import timezone; from monitors.models import Monitor; "
            f"Monitor.objects.update(interval_s={INTERVAL_S:g}, next_probe_at=timezone.now())"
        )
        self.procs["fleet"] = self.children.start("fleet", fleet, self.env, stdin=subprocess.DEVNULL)
        self.procs["web"] = self.children.start(
            "web",
            [PY, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1", "--blocking-threads", "8", "--no-ws", "statuspage.wsgi:application"],
            self.env,
        )  # fmt: skip
        self.procs["worker"] = self.children.start(
            "worker",
            [*RESPAWN, *CELERY, "worker", "-Q", "default,probes.default", "--concurrency", "2",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", "probes@%h"],
            self.env,
        )  # fmt: skip
        self.procs["deliveries"] = self.children.start(
            "deliveries",
            [*RESPAWN, *CELERY, "worker", "-Q", "deliveries", "--concurrency", "2", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--hostname", "deliveries@%h"],
            self.env,
        )  # fmt: skip
        self.procs["beat"] = self.children.start(
            "beat", [*RESPAWN, *CELERY, "beat", "--schedule", str(self.tmp / "beat-schedule")], self.env
        )

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def stop(self) -> None:
        self.children.stop()
        self.redis.stop()
        self.pg.stop()

    def celery_main(self, name: str) -> psutil.Process:
        """The Celery process under the respawn wrapper (it changes when respawn restarts it)."""
        return psutil.Process(self.procs[name].pid).children()[0]

    def summary(self) -> dict:
        return httpx.get(self.base + "/api/v2/summary.json", timeout=10).json()

    def description(self) -> str:
        try:
            return self.summary()["status"]["description"]
        except (httpx.HTTPError, ValueError):
            return ""

    def count(self, sql: str, params: tuple = ()) -> float:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=2) as conn:
            return conn.execute(sql, params).fetchone()[0]


def frozen(stack: Stack) -> dict:
    freeze_s = 90 * SCALE
    worker = tree(stack.celery_main("worker").pid)
    note(f"frozen: SIGSTOP the probe worker ({len(worker)} processes) for {freeze_s:.0f} s")
    signal_all(worker, signal.SIGSTOP)
    started = time.monotonic()
    try:

        def check() -> bool:
            if os.environ.get("BENCH_DEBUG"):
                lags = [
                    line
                    for line in httpx.get(stack.base + "/metrics", timeout=10).text.splitlines()
                    if line.startswith("statuspage_pipeline_lag_seconds")
                ]
                note(f"{time.monotonic() - started:.1f} {stack.description()} {lags}")
            return stack.description().startswith(DELAYED)

        noticed = wait_until(check, freeze_s, poll_s=0.5)
        time.sleep(max(0.0, freeze_s - (time.monotonic() - started)))
    finally:
        signal_all(worker, signal.SIGCONT)
    back = wait_until(lambda: stack.description() == "All Systems Operational", 10 * INTERVAL_S, poll_s=0.5)
    return {
        "freeze_s": round(freeze_s, 1),
        "delayed_after_s": _round(noticed),
        "delayed_after_intervals": _round(noticed and noticed / INTERVAL_S),
        "operational_again_after_s": _round(back),
        "operational_again_after_intervals": _round(back and back / INTERVAL_S),
        "ok": noticed is not None and noticed <= 3 * INTERVAL_S and back is not None and back <= INTERVAL_S,
    }


def hung(stack: Stack) -> dict:
    hang_s = 60.0  # not scaled: what it measures, the web's waits, has nothing to do with the probe clock
    postgres = tree(stack.pg.process.pid)
    note(f"hung: SIGSTOP every Postgres process ({len(postgres)}) for {hang_s:.0f} s")
    waits: list[float] = []
    noticed = None
    signal_all(postgres, signal.SIGSTOP)
    started = time.monotonic()
    try:
        while time.monotonic() - started < hang_s:
            asked = time.monotonic()
            page = httpx.get(stack.base + "/", timeout=30)
            waits.append(time.monotonic() - asked)
            if noticed is None and STALE in page.text:
                noticed = time.monotonic() - started
            time.sleep(0.05)
    finally:
        signal_all(postgres, signal.SIGCONT)
    live = wait_until(lambda: STALE not in httpx.get(stack.base + "/", timeout=30).text, 30)
    waits.sort()
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return {
        "hang_s": round(hang_s, 1),
        "requests": len(waits),
        "stale_notice_after_s": _round(noticed),
        "page_p50_s": round(statistics.median(waits), 3),
        "page_p99_s": round(p99, 3),
        "page_max_s": round(waits[-1], 3),
        "live_again_after_s": _round(live),
        "ok": noticed is not None and noticed <= PAGE_RETRY_S + 1 and p99 < 1.0,
    }


def redis_restart(stack: Stack) -> dict:
    broker = redis.Redis(port=stack.redis.port)
    worker_before = stack.celery_main("worker").pid
    from celery import Celery

    client = Celery(broker=stack.env["REDIS_URL"], set_as_current=False)
    queued = client.send_task("components.propagate", queue="bench.queued")
    aof = stack.redis.root / "appendonly.aof"
    wait_until(lambda: queued.id.encode() in aof.read_bytes(), 10)
    client.close()
    note("redis: SIGKILL Redis, then start it again")
    stack.redis.process.kill()
    stack.redis.process.wait()
    time.sleep(1)  # down for a moment, as a supervisor's restart pause
    stack.redis.start()
    back = time.time()
    since_back = "SELECT count(*) FROM monitors_proberesult WHERE started_at > to_timestamp(%s)"
    first_probe = wait_until(lambda: stack.count(since_back, (back,)) > 0, 30, poll_s=0.2)
    still_queued = broker.llen("bench.queued")
    log = stack.tmp / "queued-runner.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [*CELERY, "worker", "-Q", "bench.queued", "--concurrency", "1", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--hostname", "queued@%h"],
            cwd=ROOT, env=stack.env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    try:
        ran = wait_until(lambda: f"{queued.id}] succeeded" in log.read_text(), 60, poll_s=0.2) is not None
    finally:
        os.killpg(runner.pid, signal.SIGTERM)
        runner.wait(30)
    worker_after = stack.celery_main("worker").pid
    return {
        "worker_stayed_up": worker_after == worker_before,
        "first_probe_after_redis_back_s": _round(first_probe),
        "queued_task_survived_the_crash": still_queued == 1,
        "queued_task_ran": ran,
        "ok": worker_after == worker_before and first_probe is not None and first_probe <= 5 and ran,
    }


def open_incident(stack: Stack, name: str) -> None:
    """An incident on the first component: its first update fans out to every subscriber."""
    stack.shell(
        "from statuspage.components.models import Component; from statuspage.incidents import services; "
        "from statuspage.incidents.drafts import IncidentDraft; services.open_incident(IncidentDraft("
        f"name='{name}', impact='minor', body='Looking into it.', "
        "component_statuses={Component.objects.order_by('pk').first(): 'degraded_performance'}))"
    )


class CountingSmtp:
    """An SMTP server counting what it accepts per recipient, a little slow, so a fan-out takes a while."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.received: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(0.01)
        with self._lock:
            for address in envelope.rcpt_tos:
                self.received[address] += 1
        return "250 OK"

    def __enter__(self) -> CountingSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def fanout(stack: Stack) -> dict:
    with CountingSmtp(stack.smtp_port) as smtp:
        stack.shell(
            "from django.utils import timezone; from statuspage.subscriptions.models import Subscriber; "
            "Subscriber.objects.bulk_create([Subscriber(email=f'reader{n}@example.com', "
            f"confirmed_at=timezone.now()) for n in range({FAN_OUT})])"
        )
        open_incident(stack, "Bench fan-out")
        if wait_until(lambda: sum(smtp.received.values()) >= FAN_OUT // 4, 60) is None:
            return {"ok": False, "error": "the fan-out did not start"}
        killed = tree(stack.celery_main("deliveries").pid)
        pool = len(killed) - 1
        note(f"fanout: SIGKILL the delivery worker ({pool} pool processes) at {sum(smtp.received.values())}")
        signal_all(killed, signal.SIGKILL)
        done = wait_until(lambda: len(smtp.received) >= FAN_OUT, 120, poll_s=0.2)
        time.sleep(2)  # anything sent twice arrives now
        received = Counter(smtp.received)
    duplicates = sum(received.values()) - len(received)
    lost = FAN_OUT - len([a for a in received if a.startswith("reader")])
    return {
        "messages": FAN_OUT,
        "killed_pool_processes": pool,
        "lost": lost,
        "duplicates": duplicates,
        "all_delivered_after_kill_s": _round(done),
        "ok": lost == 0 and duplicates <= pool and done is not None and done <= 60,
    }


class StallingSmtp(CountingSmtp):
    """Keeps the first message it is sent and never acknowledges it; notes when each other one arrives."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.stalled_at: float | None = None
        self.accepted_at: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.stalled_at is not None:
            reply = await super().handle_DATA(server, session, envelope)
            self.accepted_at.append(time.monotonic())
            return reply
        self.stalled_at = time.monotonic()
        await super().handle_DATA(server, session, envelope)  # counted: the server has the message
        await asyncio.Event().wait()  # the reply is held until the server stops


def smtp_stall(stack: Stack) -> dict:
    with StallingSmtp(stack.smtp_port) as smtp:
        stack.shell(
            "from django.utils import timezone; from statuspage.subscriptions.models import Subscriber; "
            "Subscriber.objects.all().delete(); "
            "Subscriber.objects.bulk_create([Subscriber(email=f'stall{n}@example.com', "
            f"confirmed_at=timezone.now()) for n in range({STALL_FAN_OUT})])"
        )
        open_incident(stack, "Bench SMTP stall")
        if wait_until(lambda: smtp.stalled_at is not None, 60) is None:
            return {"ok": False, "error": "the fan-out did not start"}
        note(f"smtp_stall: the server holds its reply to the first message (EMAIL_TIMEOUT={EMAIL_TIMEOUT_S})")
        # Marked sent, the stalled message included: the server's count has it from before the stall.
        unsent = (
            "SELECT count(*) FROM subscriptions_delivery d JOIN subscriptions_subscriber s "
            "ON s.id = d.subscriber_id WHERE starts_with(s.email, 'stall') AND d.state <> 'sent'"
        )
        done = wait_until(lambda: stack.count(unsent) == 0, 120, poll_s=0.2)
        delivered = None if done is None else time.monotonic() - smtp.stalled_at
        time.sleep(2)  # anything sent twice arrives now
        received = Counter(smtp.received)
        resumed = min(smtp.accepted_at) - smtp.stalled_at if smtp.accepted_at else None
    duplicates = sum(received.values()) - len(received)
    lost = STALL_FAN_OUT - len(received)
    ok = lost == 0 and duplicates <= 1 and _within(resumed, EMAIL_TIMEOUT_S + 1) and _within(delivered, 60)
    return {
        "messages": STALL_FAN_OUT,
        "email_timeout_s": EMAIL_TIMEOUT_S,
        "lost": lost,
        "duplicates": duplicates,
        "next_accepted_after_stall_s": _round(resumed),
        "all_delivered_after_stall_s": _round(delivered),
        "ok": ok,
    }


class Trickler:
    """A webhook receiver that answers one header byte every 0.2 s, and times each connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.held: list[float] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        started = time.monotonic()
        with conn:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                if self.stopped.wait(0.2):
                    break
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the sender gave up and closed
                    break
        self.held.append(time.monotonic() - started)

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def trickle(stack: Stack) -> dict:
    receiver = Trickler()
    try:
        stack.shell(
            "from django.utils import timezone; from statuspage.subscriptions.models import Subscriber; "
            "Subscriber.objects.filter(kind='email').delete(); "
            "Subscriber.objects.create(kind='webhook', email='hooks@example.com', "
            f"webhook_url='http://127.0.0.1:{receiver.port}/hook', confirmed_at=timezone.now())"
        )
        window_from = time.time()
        stack.shell(
            "from statuspage.incidents.models import Incident; from statuspage.incidents import services; "
            "from statuspage.incidents.drafts import UpdateDraft; services.post_update("
            "Incident.objects.latest('created_at'), UpdateDraft(status='identified', body='Found it.'))"
        )
        wait_until(lambda: len(receiver.held) >= 1, 60)
        time.sleep(2 * INTERVAL_S)
        window_to = time.time()
    finally:
        receiver.close()
    gap = stack.count(
        "SELECT coalesce(max(gap), 0) FROM (SELECT extract(epoch FROM started_at - lag(started_at) OVER "
        "(PARTITION BY monitor_id ORDER BY started_at)) AS gap FROM monitors_proberesult "
        "WHERE started_at BETWEEN to_timestamp(%s) AND to_timestamp(%s)) gaps",
        (window_from, window_to),
    )
    held = max(receiver.held, default=None)
    return {
        "webhook_timeout_s": WEBHOOK_TIMEOUT_S,
        "sends": len(receiver.held),
        "longest_send_held_s": _round(held),
        "longest_probe_gap_s": round(float(gap), 2),
        "ok": held is not None and held <= WEBHOOK_TIMEOUT_S + 0.5 and float(gap) <= INTERVAL_S + 1.5,
    }


def _within(value: float | None, bar: float) -> bool:
    return value is not None and value <= bar


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(ALL), help="comma-separated faults to inject")
    chosen = [f for f in parser.parse_args().only.split(",") if f]
    tmp = Path(tempfile.mkdtemp(prefix="statuspage-faults-"))
    tmp.chmod(0o755)  # the embedded Postgres runs as an unprivileged user when we are root
    stack = Stack(tmp)
    figures: dict[str, object] = {"interval_s": INTERVAL_S, "time_scale": round(SCALE, 3)}
    try:
        stack.start()
        note(f"started in {tmp}; waiting for every monitor to report and every component to be operational")
        silent = "SELECT count(*) FROM monitors_monitor WHERE enabled AND last_probe_at IS NULL"
        ready = lambda: stack.count(silent) == 0 and stack.description() == "All Systems Operational"  # noqa: E731
        time.sleep(2)
        stack.children.check()  # the fleet, say, could not listen
        if wait_until(ready, 180, poll_s=1) is None:
            raise SystemExit(f"bench: the product never became operational; see {tmp}")
        runs = {
            "frozen": frozen,
            "hung": hung,
            "redis": redis_restart,
            "fanout": fanout,
            "smtp_stall": smtp_stall,
            "trickle": trickle,
        }
        for name in chosen:
            figures[name] = runs[name](stack)
            note(f"{name}: {figures[name]}")
            stack.children.check()
            wait_until(lambda: stack.description() != "" and DELAYED not in stack.description(), 60)
        figures["ok"] = all(f.get("ok") for f in figures.values() if isinstance(f, dict))
    finally:
        stack.stop()
        if figures.get("ok"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            note(f"logs kept in {tmp}")
    print(json.dumps(figures))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
