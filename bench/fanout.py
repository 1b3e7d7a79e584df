"""Fan-out to a mixed audience (email, webhooks, Slack chat) against a bare loop per channel; then a killed
worker, SMTP down.

Run from the repo root: `.venv/bin/python bench/fanout.py [--subscribers 10000] [--webhooks 1000]
[--chats 1000] [--down-seconds 60]` (`--fanout-only` skips 2 and 3).
It uses the Postgres server of DATABASE_URL (creating and dropping a database of its own) and the Redis
of REDIS_URL (a queue of its own), starts an SMTP sink, an HTTP sink (webhooks, and Slack's incoming
webhooks through settings.CHAT_TEST_HOSTS) and Celery workers on loopback, and stops them.

1. Fan-out, per channel: an operator publishes an update to that channel's audience, timed from the
   call to the last message its sink accepts; the baseline is one client sending the very same
   messages, pre-built, in the same run: smtplib on one connection; httpx without keep-alive for
   webhooks (as the transport: one TLS session per address); httpx with keep-alive for chat.
2. SIGKILL: the worker's process group is killed a third of the way through a fan-out to everyone and
   a new one started; every subscriber on every channel must end with the message, duplicates only
   what was in flight.
3. SMTP down: the sink is stopped for --down-seconds while an update on another component fans out
   to its --down-subscribers, then started again; every message must arrive, none dead.
Progress goes to stderr; the figures are the last line of stdout, as one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
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


SLACK_HEADING = re.compile(rb'"type":"header","text":\{"type":"plain_text","text":"([^"]*)"')


def run_http_sink(port: int, log_path: str) -> None:
    """Answer every POST 200; log "<accepted at> <key>": a webhook's webhook-id, or for Slack
    "chat|<heading>|<path>" (the path is the subscriber's webhook, the heading names the update).

    aiohttp, one event loop: a threaded server's threads contend for the GIL as soon as two workers
    post at once, and the sink, not the pipeline, would set the pace.
    """
    from aiohttp import web

    out = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the life of this process

    async def accept(request: web.Request) -> web.Response:
        body = await request.read()
        key = request.headers.get("webhook-id")
        if key is None:
            match = SLACK_HEADING.search(body)
            key = f"chat|{match[1].decode() if match else '-'}|{request.path}"
        out.write(f"{time.time():.6f} {key}\n")
        return web.Response(text="ok")

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", accept)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await asyncio.Event().wait()  # until SIGTERM

    asyncio.run(serve())


class SinkProcess:
    def __init__(self, port: int, log_path: Path, kind: str = "--sink") -> None:
        self.port, self.log_path, self.proc, self.kind = port, log_path, None, kind

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, self.kind, str(self.port), str(self.log_path)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {self.kind} sink did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def accepted(self, prefix: str) -> list[tuple[float, str]]:
        """(time accepted, key) of every accepted message whose key (Message-ID...) starts with prefix."""
        rows = []
        if not self.log_path.exists():
            return rows
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


def configure(db_name: str, smtp_port: int, http_port: int, workdir: Path) -> tuple[str, str]:
    """Point this process (and the workers it starts) at the bench's own database, queue and sinks.

    Slack's webhooks are played by the HTTP sink: a settings module of the bench's own names it in
    CHAT_TEST_HOSTS, which no environment variable can set.
    """
    (workdir / "fanout_settings.py").write_text(
        "from statuspage.settings import *  # noqa: F403\n"
        f"CHAT_TEST_HOSTS = {{'127.0.0.1:{http_port}': 'slack'}}\n"
    )
    sys.path.insert(0, str(workdir))
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage")
    parts = urlsplit(server)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    os.environ.update(
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{db_name}")),
        STATUSPAGE_ENV=os.environ.get("STATUSPAGE_ENV", "development"),
        DJANGO_SETTINGS_MODULE="fanout_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        WEBHOOK_ALLOW_PRIVATE_DESTINATIONS="true",  # the sink is on loopback
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
    parser.add_argument("--webhooks", type=int, default=1_000, help="webhook subscribers")
    parser.add_argument("--chats", type=int, default=1_000, help="Slack chat subscribers")
    parser.add_argument("--down-seconds", type=float, default=60.0)
    parser.add_argument("--down-subscribers", type=int, default=2_000, help="audience of the SMTP-down run")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--fanout-only", action="store_true", help="skip the SIGKILL and SMTP-down runs")
    parser.add_argument("--max-seconds", type=int, default=900, help="give up (and clean up) after this long")
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "LOG"), help=argparse.SUPPRESS)
    parser.add_argument("--http-sink", nargs=2, metavar=("PORT", "LOG"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.sink:
        run_sink(int(options.sink[0]), options.sink[1])
        return
    if options.http_sink:
        run_http_sink(int(options.http_sink[0]), options.http_sink[1])
        return

    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGALRM, _give_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on a polite kill too
    signal.alarm(options.max_seconds)
    smtp_port, http_port = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="fanout-"))
    admin_url, db_name = configure(f"statuspage_bench_fanout_{os.getpid()}", smtp_port, http_port, workdir)
    sink = SinkProcess(smtp_port, workdir / "accepted.log")
    http_sink = SinkProcess(http_port, workdir / "http.log", kind="--http-sink")
    worker = Worker(options.concurrency)
    create_database(admin_url, db_name)
    try:
        results = run(options, sink, http_sink, worker)
    finally:
        worker.stop()
        sink.stop()
        http_sink.stop()
        cleanup(admin_url, db_name)
        shutil.rmtree(workdir, ignore_errors=True)
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


def http_bare_loop(url_of, bodies: list[tuple[str, bytes, dict]], *, keep_alive: bool, what: str) -> float:
    """Requests per second of one httpx client POSTing pre-built bodies back to back."""
    import httpx

    limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(limits=limits, trust_env=False) as client:
        began = time.perf_counter()
        for url, body, headers in bodies:
            client.post(url_of(url), content=body, headers=headers).raise_for_status()
        rate = len(bodies) / (time.perf_counter() - began)
    log(f"bare {what} loop: {rate:.1f} msgs/s")
    return rate


def run(options, sink: SinkProcess, http_sink: SinkProcess, worker: Worker) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from statuspage.components.models import Component
    from statuspage.incidents import services
    from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
    from statuspage.subscriptions import alerts, chat, hooksign, tasks
    from statuspage.subscriptions.chat.notice import Notices
    from statuspage.subscriptions.emails import Composer
    from statuspage.subscriptions.models import Delivery, Subscriber
    from statuspage.subscriptions.transports.webhook import WebhookSession

    sweep_every = settings.DELIVERY_SWEEP_SECONDS  # as Celery beat would call the sweep
    log("migrating a fresh database")
    call_command("migrate", verbosity=0)
    mail_c, hook_c, chat_c, embeddings = (
        Component.objects.create(name=name)
        for name in ("Chat API", "Batch API", "Assistants API", "Embeddings API")
    )
    now = timezone.now()
    hook_url = f"http://127.0.0.1:{http_sink.port}"
    audiences = [
        (mail_c, options.subscribers, lambda i, c: {"email": f"{i}.{c.public_id}@example.com"}),
        (hook_c, options.webhooks,
         lambda i, c: {"email": f"h{i}@example.com", "kind": "webhook", "webhook_url": f"{hook_url}/h/{i}"}),
        (chat_c, options.chats,
         lambda i, c: {"email": f"c{i}@example.com", "kind": "chat", "chat_app": "slack",
                       "webhook_url": f"{hook_url}/services/T0/B0/x{i}"}),
        (embeddings, options.down_subscribers, lambda i, c: {"email": f"{i}.{c.public_id}@example.com"}),
    ]  # fmt: skip
    for component, size, fields in audiences:
        created = Subscriber.objects.bulk_create(
            [Subscriber(confirmed_at=now, all_components=False, **fields(i, component)) for i in range(size)],
            batch_size=2000,
        )
        Subscriber.components.through.objects.bulk_create(
            [Subscriber.components.through(subscriber=s, component=component) for s in created],
            batch_size=2000,
        )
    sink.start()
    http_sink.start()
    worker.start()

    def sent(update) -> int:
        return Delivery.objects.filter(update=update, state=Delivery.State.SENT).count()

    def drained() -> bool:
        return not Delivery.objects.filter(state=Delivery.State.PENDING).exists()

    # Warm the worker (imports, connections, templates) with an operator alert through the same path.
    alerts.alert_operators(
        "Bench warm-up", "Warming the delivery worker.", key=f"bench-warmup-{time.time_ns()}"
    )
    wait_until(lambda: sink.accepted("alert."), 60, "the warm-up alert")

    def prebuilt(channel: str, component, update) -> list:
        """The messages of an update to a channel's audience, built as its transport builds them."""
        subscribers = Subscriber.objects.filter(components=component).order_by("pk")
        rows = [Delivery(purpose="update", channel=channel, subscriber=s, update=update) for s in subscribers]
        if channel == "email":
            composer = Composer()
            return [composer.envelope(d) for d in rows]
        if channel == "webhook":
            session = WebhookSession(None, None)  # only its payloads: no client, no loop
            built = []
            for d in rows:
                body = json.dumps(session.payload(d), separators=(",", ":")).encode()
                signed = hooksign.headers(d.subscriber.public_id, d.key, int(time.time()), body)
                headers = {"Content-Type": "application/json", **signed}
                built.append((d.subscriber.webhook_url, body, headers))
            return built
        notices, slack = Notices(), chat.get("slack")
        built = []
        for d in rows:
            payload = slack.payload(notices.for_subscriber(update, d.subscriber))
            body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
            built.append(
                (d.subscriber.webhook_url, body, {"Content-Type": "application/json; charset=utf-8"})
            )
        return built

    def bare(channel: str, messages: list) -> float:
        if channel == "email":
            return bare_loop(sink.port, messages)

        # Under /bare: the sink keys a chat message by its path and heading, which the update repeats.
        def to_bare(url: str) -> str:
            return url.replace(hook_url, f"{hook_url}/bare")

        return http_bare_loop(to_bare, messages, keep_alive=channel == "chat", what=channel)

    # 1. Fan-out per channel: from the operator's publish call to the last message accepted. The
    # baseline is the same update's messages (its incident opened without notifying anyone), timed
    # before and after the fan-out because this machine's load drifts between the two.
    fanouts, ratios, bare_rates = {}, {}, {}
    phases = [("email", mail_c, options.subscribers, sink), ("webhook", hook_c, options.webhooks, http_sink),
              ("chat", chat_c, options.chats, http_sink)]  # fmt: skip
    incidents = {}
    for channel, component, n, channel_sink in phases:
        if n == 0:
            continue
        incident = services.open_incident(
            IncidentDraft(name=f"Elevated error rates on {component.name}", impact="major",
                          body="We are investigating elevated errors.",
                          component_statuses={component: "partial_outage"}),
            notify=False,
        )  # fmt: skip
        incidents[channel] = incident
        wait_until(
            drained, 300, "component-change webhooks to drain", tick=tasks.sweep, tick_every=sweep_every
        )
        messages = prebuilt(channel, component, incident.updates.get())
        before = bare(channel, messages)
        log(f"{channel} fan-out of one update to {n} subscribers")
        started = time.time()
        update = services.post_update(
            incident, UpdateDraft(status="investigating", body="We are investigating elevated errors.")
        )
        keyed = f"update.{update.public_id}."
        prefix = keyed if channel != "chat" else f"chat|Investigating: {incident.name}|/services/"
        wait_until(lambda: sent(update) == n, 900, f"the {channel} fan-out")  # noqa: B023 - called here
        accepted = channel_sink.accepted(prefix)
        assert len({m for _, m in accepted}) == n, f"a {channel} subscriber is missing"
        first, last = min(t for t, _ in accepted), max(t for t, _ in accepted)
        fanouts[channel] = {
            "subscribers": n,
            "publish_to_first_accept_s": round(first - started, 3),
            "publish_to_last_accept_s": round(last - started, 3),
            "msgs_per_s": round(n / (last - started), 1),
            "duplicates": len(accepted) - n,
        }
        log(f"{channel} fan-out: {fanouts[channel]}")
        after = bare(channel, messages)
        bare_rates[channel] = {"before": round(before, 1), "after": round(after, 1)}
        ratios[channel] = round(fanouts[channel]["msgs_per_s"] / ((before + after) / 2), 3)

    figures = {
        "bench": "fanout",
        "subscribers": options.subscribers,
        "webhooks": options.webhooks,
        "chats": options.chats,
        "worker_processes": options.concurrency,
        "fanout": fanouts,
        "bare_loop_msgs_per_s": bare_rates,
        "ratio_vs_bare_loop": ratios,
    }
    if options.fanout_only:
        return figures

    # 2. SIGKILL a third of the way through a fan-out to everyone; a new worker; the sweep finds the rest.
    everyone = services.open_incident(
        IncidentDraft(name="Errors across the API", impact="major", body="We are investigating errors.",
                      component_statuses={c: "partial_outage" for c in (mail_c, hook_c, chat_c)}),
        notify=False,
    )  # fmt: skip
    wait_until(drained, 300, "component-change webhooks to drain", tick=tasks.sweep, tick_every=sweep_every)
    counts_by_channel = {"email": options.subscribers, "webhook": options.webhooks, "chat": options.chats}
    total = sum(counts_by_channel.values())
    log(f"fan-out to {total} on three channels with the worker SIGKILLed a third of the way")
    update = services.post_update(everyone, UpdateDraft(status="identified", body="We found the cause."))
    keyed = f"update.{update.public_id}."
    prefixes = {"email": (sink, keyed), "webhook": (http_sink, keyed),
                "chat": (http_sink, f"chat|Identified: {everyone.name}|/services/")}  # fmt: skip

    def accepted_now() -> dict[str, list]:
        return {channel: s.accepted(prefix) for channel, (s, prefix) in prefixes.items()}

    wait_until(lambda: sent(update) >= total // 3, 600, "a third of the mixed fan-out")
    worker.kill()
    killed_at = time.time()
    time.sleep(0.5)  # let the sinks log what they had already accepted
    at_kill = {channel: len(rows) for channel, rows in accepted_now().items()}
    marked = dict(
        Delivery.objects.filter(update=update, state="sent").values_list("channel").annotate(n=Count("id"))
    )
    worker.start()
    wait_until(
        lambda: sent(update) == total,
        600,
        "recovery after the kill",
        tick=tasks.sweep,
        tick_every=sweep_every,
    )
    kill = {}
    for channel, rows in accepted_now().items():
        counts = Counter(m for _, m in rows)
        kill[channel] = {
            "accepted_at_kill": at_kill[channel],
            "in_flight_at_kill": at_kill[channel] - marked.get(channel, 0),  # accepted, not yet marked sent
            "duplicates": sum(c - 1 for c in counts.values()),
            "missing": counts_by_channel[channel] - len(counts),
            "recovered_after_kill_s": round(max(t for t, _ in rows) - killed_at, 2) if rows else None,
        }
    log(f"kill: {kill}")

    # 3. SMTP down for --down-seconds while an update fans out; then back.
    log(f"SMTP down for {options.down_seconds:g} s during a fan-out")
    sink.stop()
    m = options.down_subscribers
    update = services.open_incident(
        IncidentDraft(name="Slow embeddings", impact="minor", body="Embeddings are slower than usual.",
                      component_statuses={embeddings: "degraded_performance"}),
    ).updates.get()  # fmt: skip
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
