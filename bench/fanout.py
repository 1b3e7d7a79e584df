"""Fan-out to N subscribers into local aiosmtpd against a bare smtplib loop; then a killed worker, SMTP down.

Run from the repo root: `.venv/bin/python bench/fanout.py [--subscribers 10000] [--down-seconds 60]`
(`--fanout-only` skips 2 and 3).
It uses the Postgres server of DATABASE_URL (creating and dropping a database of its own) and the Redis
of REDIS_URL (a queue of its own), starts an SMTP sink and Celery workers on loopback, and stops them.

1. Fan-out: an operator publishes an update, timed from the call to the last message the sink accepts;
   the baseline is one smtplib connection sending the very same messages, pre-built, in the same run.
2. SIGKILL: the worker's process group is killed a third of the way through a fan-out and a new one
   started; every subscriber must end with the message, duplicates only what was in flight.
3. SMTP down: the sink is stopped for --down-seconds while an update on another component fans out
   to its --down-subscribers, then started again; every message must arrive, none dead.
Progress goes to stderr; the figures are the last line of stdout, as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


def log(text: str) -> None:
    print(f"[fanout] {text}", file=sys.stderr, flush=True)


# --- the SMTP sink: `fanout.py --sink PORT LOG` runs it in its own process --------------------------


def run_sink(port: int, log_path: str) -> None:
    """Accept every message; log "<accepted at> <Message-ID>" per message, unbuffered, for the parent."""
    from aiosmtpd.controller import Controller

    out = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the life of this process

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            match = MESSAGE_ID.search(envelope.content)
            out.write(f"{time.time():.6f} {match[1].decode() if match else '-'}\n")
            return "250 OK"

    Controller(Sink(), hostname="127.0.0.1", port=port).start()
    print("ready", flush=True)
    while True:  # until SIGTERM: an abrupt stop is what an outage looks like anyway
        time.sleep(3600)


class SinkProcess:
    def __init__(self, port: int, log_path: Path) -> None:
        self.port, self.log_path, self.proc = port, log_path, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port), str(self.log_path)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def accepted(self, prefix: str) -> list[tuple[float, str]]:
        """(time accepted, Message-ID) of every accepted message whose Message-ID starts with prefix."""
        rows = []
        for line in self.log_path.read_text().splitlines():
            stamp, _, message_id = line.partition(" ")
            if message_id.startswith(prefix):
                rows.append((float(stamp), message_id))
        return rows


# --- Celery workers -------------------------------------------------------------------------------


class Worker:
    """A real `celery worker` on the bench's queue, in its own process group so SIGKILL takes it whole."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency, self.proc = concurrency, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-Q", os.environ["DELIVERY_QUEUE"],
             "--concurrency", str(self.concurrency), "--pool", "prefork", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"fanout-{os.getpid()}-{time.time_ns()}@%h"],
            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
        )  # fmt: skip
        for line in self.proc.stderr:
            if " ready." in line:
                break
        else:
            raise RuntimeError("the Celery worker exited before it was ready")
        # Keep draining its log so it never blocks on a full pipe.
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


# --- the run --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(db_name: str, smtp_port: int) -> tuple[str, str]:
    """Point this process (and the workers it starts) at the bench's own database, queue and sink."""
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage")
    parts = urlsplit(server)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    os.environ.update(
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{db_name}")),
        STATUSPAGE_ENV=os.environ.get("STATUSPAGE_ENV", "development"),
        DJANGO_SETTINGS_MODULE="statuspage.settings",
        DELIVERY_QUEUE=f"bench-fanout-{os.getpid()}",
        DELIVERY_LEASE_SECONDS="15",  # what a killed worker's unsent rows wait before they are due again
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        OPERATOR_EMAILS="bench-warmup@example.com",
        LOG_LEVEL="WARNING",
    )
    return admin_url, db_name


def create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_until(predicate, timeout: float, what: str, *, tick=None, tick_every: float = 10.0) -> None:
    """Poll until predicate(); `tick` stands in for Celery beat, called every `tick_every` seconds."""
    deadline, next_tick = time.monotonic() + timeout, 0.0
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        if tick and time.monotonic() >= next_tick:
            tick()
            next_tick = time.monotonic() + tick_every
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--down-seconds", type=float, default=60.0)
    parser.add_argument("--down-subscribers", type=int, default=2_000, help="audience of the SMTP-down run")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--fanout-only", action="store_true", help="skip the SIGKILL and SMTP-down runs")
    parser.add_argument("--max-seconds", type=int, default=900, help="give up (and clean up) after this long")
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "LOG"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.sink:
        run_sink(int(options.sink[0]), options.sink[1])
        return

    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(options.max_seconds)
    smtp_port = free_port()
    admin_url, db_name = configure(f"statuspage_bench_fanout_{os.getpid()}", smtp_port)
    workdir = Path(tempfile.mkdtemp(prefix="fanout-"))
    sink = SinkProcess(smtp_port, workdir / "accepted.log")
    worker = Worker(options.concurrency)
    create_database(admin_url, db_name)
    try:
        results = run(options, sink, worker)
    finally:
        worker.stop()
        sink.stop()
        cleanup(admin_url, db_name)
    print(json.dumps(results, separators=(",", ":")))


def _give_up(signum, frame) -> None:
    raise TimeoutError("the benchmark ran past --max-seconds")


def cleanup(admin_url: str, db_name: str) -> None:
    import redis
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    forget_queue(redis.Redis.from_url(settings.REDIS_URL), settings.DELIVERY_QUEUE)
    drop_database(admin_url, db_name)


def forget_queue(broker, queue: str) -> None:
    """Delete the queue with kombu's bookkeeping of it: its bindings, and the messages it holds as unacked
    (the SIGKILLed worker never acked them; the next worker on this Redis would put them back)."""
    broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in broker.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:  # kombu stores [message, exchange, routing key]
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


def bare_loop(port: int, envelopes) -> float:
    """Messages per second of one smtplib connection sending pre-built messages back to back."""
    connection = smtplib.SMTP("127.0.0.1", port)
    connection.ehlo()
    began = time.perf_counter()
    for envelope in envelopes:
        connection.sendmail(envelope.sender, envelope.recipients, envelope.data)
    rate = len(envelopes) / (time.perf_counter() - began)
    connection.quit()
    log(f"bare smtplib loop: {rate:.1f} msgs/s")
    return rate


def run(options, sink: SinkProcess, worker: Worker) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from statuspage.components.models import Component
    from statuspage.incidents import services
    from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
    from statuspage.subscriptions import alerts, tasks
    from statuspage.subscriptions.emails import Composer
    from statuspage.subscriptions.models import Delivery, Subscriber

    n = options.subscribers
    sweep_every = settings.DELIVERY_SWEEP_SECONDS  # as Celery beat would call the sweep
    log("migrating a fresh database")
    call_command("migrate", verbosity=0)
    chat, embeddings = (
        Component.objects.create(name="Chat API"),
        Component.objects.create(name="Embeddings API"),
    )
    now = timezone.now()
    audiences = {chat: n, embeddings: options.down_subscribers}
    for component, size in audiences.items():
        emails = [f"{i}.{component.public_id}@example.com" for i in range(size)]
        created = Subscriber.objects.bulk_create(
            [Subscriber(email=e, confirmed_at=now, all_components=False) for e in emails], batch_size=2000
        )
        Subscriber.components.through.objects.bulk_create(
            [Subscriber.components.through(subscriber=s, component=component) for s in created],
            batch_size=2000,
        )
    sink.start()
    worker.start()

    def sent(update) -> int:
        return Delivery.objects.filter(update=update, state=Delivery.State.SENT).count()

    # Warm the worker (imports, connections, templates) with an operator alert through the same path.
    alerts.alert_operators(
        "Bench warm-up", "Warming the delivery worker.", key=f"bench-warmup-{time.time_ns()}"
    )
    wait_until(lambda: sink.accepted("alert."), 60, "the warm-up alert")

    # The baseline: an update of the same text (opened without notifying anyone), its messages built
    # beforehand and sent over one smtplib connection, timed before and after the fan-out because
    # this machine's load drifts between the two.
    incident = services.open_incident(
        IncidentDraft(
            name="Elevated error rates on Chat API",
            impact="major",
            body="We are investigating elevated errors.",
            component_statuses={chat: "partial_outage"},
        ),
        notify=False,
    )
    quiet, composer = incident.updates.get(), Composer()
    envelopes = [
        composer.envelope(
            Delivery(purpose=Delivery.Purpose.UPDATE, channel="email", subscriber=s, update=quiet)
        )
        for s in Subscriber.objects.filter(components=chat).order_by("pk")
    ]
    bare_before = bare_loop(sink.port, envelopes)

    # 1. Fan-out: from the operator's publish call to the last message accepted.
    log(f"fan-out of one update to {n} subscribers")
    started = time.time()
    update = services.post_update(
        incident, UpdateDraft(status="investigating", body="We are investigating elevated errors.")
    )
    prefix = f"update.{update.public_id}."
    wait_until(lambda: sent(update) == n, 900, "the fan-out")
    accepted = sink.accepted(prefix)
    assert len({m for _, m in accepted}) == n, "a subscriber is missing"
    first, last = min(t for t, _ in accepted), max(t for t, _ in accepted)
    fanout = {
        "publish_to_first_accept_s": round(first - started, 3),
        "publish_to_last_accept_s": round(last - started, 3),
        "msgs_per_s": round(n / (last - started), 1),
        "duplicates": len(accepted) - n,
    }
    log(f"fan-out: {fanout}")
    bare_after = bare_loop(sink.port, envelopes)
    bare_rate = (bare_before + bare_after) / 2

    figures = {
        "bench": "fanout",
        "subscribers": n,
        "worker_processes": options.concurrency,
        "fanout": fanout,
        "bare_loop_msgs_per_s": {"before": round(bare_before, 1), "after": round(bare_after, 1)},
        "ratio_vs_bare_loop": round(fanout["msgs_per_s"] / bare_rate, 3),
    }
    if options.fanout_only:
        return figures

    # 2. SIGKILL a third of the way through a fan-out; start a new worker; the sweep finds the rest.
    log("fan-out with the worker SIGKILLed a third of the way")
    update = services.post_update(
        update.incident, UpdateDraft(status="identified", body="We found the cause.")
    )
    prefix = f"update.{update.public_id}."
    wait_until(lambda: len(sink.accepted(prefix)) >= n // 3, 600, "a third of the second fan-out")
    worker.kill()
    killed_at = time.time()
    time.sleep(0.5)  # let the sink log what it had already accepted
    accepted_at_kill = len(sink.accepted(prefix))
    marked_at_kill = sent(update)
    leased_at_kill = Delivery.objects.filter(update=update, state="pending", lease__isnull=False).count()
    worker.start()
    wait_until(
        lambda: sent(update) == n, 600, "recovery after the kill", tick=tasks.sweep, tick_every=sweep_every
    )
    counts = Counter(m for _, m in sink.accepted(prefix))
    kill = {
        "accepted_at_kill": accepted_at_kill,
        "in_flight_at_kill": accepted_at_kill - marked_at_kill,  # accepted by SMTP, not yet marked sent
        "leased_unsent_at_kill": leased_at_kill - (accepted_at_kill - marked_at_kill),
        "duplicates": sum(c - 1 for c in counts.values()),
        "missing": n - len(counts),
        "recovered_after_kill_s": round(max(t for t, _ in sink.accepted(prefix)) - killed_at, 2),
    }
    log(f"kill: {kill}")

    # 3. SMTP down for --down-seconds while an update fans out; then back.
    log(f"SMTP down for {options.down_seconds:g} s during a fan-out")
    sink.stop()
    m = options.down_subscribers
    update = services.open_incident(
        IncidentDraft(
            name="Slow embeddings",
            impact="minor",
            body="Embeddings are slower than usual.",
            component_statuses={embeddings: "degraded_performance"},
        )
    ).updates.get()
    prefix = f"update.{update.public_id}."
    down_until = time.monotonic() + options.down_seconds
    wait_until(
        lambda: time.monotonic() >= down_until,
        options.down_seconds + 5,
        "the outage",
        tick=tasks.sweep,
        tick_every=sweep_every,
    )
    failed_attempts = Delivery.objects.filter(update=update, attempts__gt=0).count()
    sink.start()
    back_at = time.time()
    wait_until(
        lambda: sent(update) == m,
        900,
        "delivery after SMTP returned",
        tick=tasks.sweep,
        tick_every=sweep_every,
    )
    counts = Counter(m for _, m in sink.accepted(prefix))
    down = {
        "down_s": options.down_seconds,
        "subscribers": m,
        "deliveries_that_backed_off": failed_attempts,
        "delivered": len(counts),
        "missing": m - len(counts),
        "duplicates": sum(c - 1 for c in counts.values()),
        "dead": Delivery.objects.filter(update=update, state="dead").count(),
        "drained_after_return_s": round(max(t for t, _ in sink.accepted(prefix)) - back_at, 2),
    }
    log(f"smtp down: {down}")

    return figures | {"sigkill": kill, "smtp_down": down}


if __name__ == "__main__":
    main()
