"""Probe benchmark: throughput with database writes, scheduling at scale, and timing accuracy under load.

Run from the repository root with the project's environment:

    .venv/bin/python bench/probes.py            # about 13 minutes (5 each for the scheduling runs)
    .venv/bin/python bench/probes.py --quick    # about 4 minutes: one round, a minute of each scheduling run

It uses the Postgres server of DATABASE_URL (a database of its own, dropped at the end) and the Redis
server of REDIS_URL (a database number nobody uses, emptied at the end), starts --fakes fake provider
fleets (one process each, so the fake is not the bottleneck), Celery workers and beat on loopback, and
stops them. Every probe is a streamed chat completion of max_tokens 1, the default monitor, in the
OpenAI, DeepSeek, Anthropic and Gemini dialects in turn. Baselines come from the same run:

1. Throughput. The same requests three ways, each in --processes processes at --concurrency in flight
   each: a bare aiohttp loop on pooled connections (the fastest Python client, the baseline); the probe
   engine (httpx API, classification, observations); and the engine plus monitors.recording.record, a
   transaction per batch of --batch (what a probe worker does). Rounds alternate; medians reported.
2. Timing accuracy. Engine probes with first-token delays of 50, 200 and 800 ms injected by the fake
   (X-Fake-TTFT-Ms), at a rate near the throughput goal: measured TTFT minus injected. Beside it, the
   bare loop's error for the same requests (send to end of body), and both one probe at a time: the
   floor of this machine and fake, where nothing queues.
3. Scheduling at scale. --monitors monitors every --interval seconds for --schedule-seconds through the
   real pipeline: celery beat, the tick on a worker of its own, probe workers, engine, recording. Due
   times are known from each monitor's first due time (the scheduler keeps the phase), so the lag is
   each result's start minus its due time; every due probe must have exactly one result.
4. Two regions. The same monitors, each probed from two regions, each region a worker group of its own
   (--workers processes on its own queue, as region workers on other machines would be): twice the
   probes. Each region's rate and lag beside the one-region run's, and whether throughput adds up.

Progress goes to stderr; the figures are the last line of stdout, as one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from probe_runners import ROOT, Service, fan_out

sys.path.insert(0, str(ROOT))

KEY = "sk-bench-fleet"
KEY_ENV = "BENCH_FLEET_KEY"
REGION = "bench"
# (fleet provider, dialect, probe kind, model): one streamed chat probe per dialect, in turn.
TARGETS = [
    ("openai-sim", "openai", "openai", "gpt-4o-mini"),
    ("deepseek-sim", "deepseek", "openai", "deepseek-chat"),
    ("anthropic-sim", "anthropic", "anthropic", "claude-haiku-4-5"),
    ("gemini-sim", "gemini", "gemini", "gemini-2.5-flash"),
]
DELAYS_MS = (50, 200, 800)
FLOOR_PROBES = 100
PARTS = ["throughput", "timing", "scheduling", "regions"]
TWO_REGIONS = (f"{REGION}-a", f"{REGION}-b")
FAKE_NICE = -10
GOALS = {"probes_per_s": 500, "timing_median_ms": 1.0, "timing_p99_ms": 5.0, "lag_p99_ms": 2000}


def log(text: str) -> None:
    print(f"[probes] {text}", file=sys.stderr, flush=True)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 3),
        "p90": round(cut[89], 3),
        "p99": round(cut[98], 3),
        "max": round(ordered[-1], 3),
    }


# --- the workload ---------------------------------------------------------------------------------


class Endpoint(NamedTuple):
    provider: str  # a unique provider name: the fleet's, numbered when there are several fleets
    kind: str
    model: str
    url: str


def endpoints(fleets: list) -> list[Endpoint]:
    """Every target on every fleet, interleaved so that consecutive probes go to different fleets."""
    return [
        Endpoint(f"{name}-{number}", kind, model, fleet.api_base(name))
        for name, _, kind, model in TARGETS
        for number, fleet in enumerate(fleets)
    ]


def specs(targets: list[Endpoint], monitor_ids: list[int], n: int, delays: tuple[int, ...] = ()) -> list:
    """n probe specs over the endpoints in turn; with delays, each also injects one in turn."""
    from monitors.probes.base import ProbeSpec

    made = []
    for i in range(n):
        target = targets[i % len(targets)]
        headers = {"X-Fake-TTFT-Ms": str(delays[i % len(delays)])} if delays else {}
        made.append(
            ProbeSpec(
                monitor_id=monitor_ids[i % len(monitor_ids)],
                kind=target.kind,
                url=target.url,
                model=target.model,
                stream=True,
                api_key=KEY,
                timeout_s=30,
                headers=headers,
            )
        )
    return made


def raw_requests(probe_specs: list) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
    """The exact request each probe sends (captured from the probe itself), for the bare loop to replay."""
    import httpx

    from monitors import probes

    captured: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(599)

    async def run_all() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(capture)) as client:
            for spec in probe_specs:
                await probes.run(spec, client)

    asyncio.run(run_all())
    hop = {"host", "content-length", "connection", "user-agent"}  # aiohttp sets its own
    return [
        (
            r.method,
            str(r.url),
            [(k, v) for k, v in r.headers.multi_items() if k.lower() not in hop],
            r.content,
        )
        for r in captured
    ]


# --- throughput and timing -----------------------------------------------------------------------


def throughput(options, targets: list[Endpoint], monitor_ids: list[int], fake_pids: list[int]) -> dict:
    probe_specs = specs(targets, monitor_ids, options.throughput_probes)
    work = [(spec, None) for spec in probe_specs]
    requests = [(request, None) for request in raw_requests(probe_specs)]
    common = {
        "concurrency": options.concurrency,
        "batch": options.batch,
        "region": f"{REGION}-throughput",
        "warm": False,
    }
    rounds: dict[str, list[dict]] = {"bare": [], "engine": [], "engine+db": []}
    for number in range(options.rounds):
        for mode, items in (("bare", requests), ("engine", work), ("engine+db", work)):
            measured = fan_out(mode, items, options.processes, common, fake_pids)
            log(
                f"throughput round {number + 1} {mode}: {measured['per_s']} /s, "
                f"{measured['cpu_ms_per_probe']} ms CPU per probe, outcomes {measured['outcomes']}"
            )
            rounds[mode].append(measured)

    def median(mode: str, key: str) -> float:
        return round(statistics.median(r[key] for r in rounds[mode]), 3)

    bare = median("bare", "per_s")
    return {
        "processes": options.processes,
        "concurrency_per_process": options.concurrency,
        "batch": options.batch,
        "probes_per_round": options.throughput_probes,
        "rounds": options.rounds,
        "bare_loop_per_s": bare,
        "engine_per_s": median("engine", "per_s"),
        "engine_with_db_per_s": median("engine+db", "per_s"),
        "ratio_engine_vs_bare": round(median("engine", "per_s") / bare, 3),
        "ratio_engine_with_db_vs_bare": round(median("engine+db", "per_s") / bare, 3),
        "cpu_ms_per_probe": {mode: median(mode, "cpu_ms_per_probe") for mode in rounds},
        "fake_cpu_ms_per_probe": {mode: median(mode, "fake_cpu_ms_per_probe") for mode in rounds},
        "not_ok": {mode: failures(rounds[mode]) for mode in rounds},
    }


def failures(reports: list[dict]) -> dict[str, int]:
    """Outcomes other than ok (engine) or statuses other than 200 (bare loop), summed over rounds."""
    total = sum((Counter(r["outcomes"]) for r in reports), Counter())
    return {name: count for name, count in total.items() if name not in ("ok", "200")}


def timing(options, targets: list[Endpoint], monitor_ids: list[int], fake_pids: list[int]) -> dict:
    probe_specs = specs(targets, monitor_ids, options.timing_probes, DELAYS_MS)
    injected = [float(spec.headers["X-Fake-TTFT-Ms"]) for spec in probe_specs]
    common = {"concurrency": options.timing_concurrency, "batch": options.timing_batch, "warm": True}
    common["region"] = f"{REGION}-timing"
    work = list(zip(probe_specs, injected, strict=True))
    probed = fan_out("engine", work, options.processes, common, fake_pids)
    log(f"timing, engine: {probed['per_s']} /s, error {percentiles(probed['samples'])}")
    requests = list(zip(raw_requests(probe_specs), injected, strict=True))
    bare = fan_out("bare", requests, options.processes, common, fake_pids)
    log(f"timing, bare loop: {bare['per_s']} /s, error {percentiles(bare['samples'])}")
    # The floor: one probe at a time (50 ms injected), so neither side queues; what is left is the
    # round trip and the fake's own handling before it starts the delay, which no client can remove.
    alone = {**common, "concurrency": 1}
    one_spec = specs(targets, monitor_ids, FLOOR_PROBES, (50,))
    engine_alone = fan_out("engine", [(spec, 50.0) for spec in one_spec], 1, alone, fake_pids)
    bare_alone = fan_out("bare", [(request, 50.0) for request in raw_requests(one_spec)], 1, alone, fake_pids)
    floor = {"engine": percentiles(engine_alone["samples"]), "bare_loop": percentiles(bare_alone["samples"])}
    log(f"timing, one at a time: {floor}")
    return {
        "probes": options.timing_probes,
        "injected_ms": list(DELAYS_MS),
        "processes": options.processes,
        "concurrency_per_process": options.timing_concurrency,
        "engine_per_s": probed["per_s"],
        "error_ms": percentiles(probed["samples"]),
        "bare_loop_per_s": bare["per_s"],
        "bare_loop_error_ms": percentiles(bare["samples"]),
        "one_at_a_time_error_ms": floor,
        "not_ok": failures([probed]),
    }


# --- the real pipeline: beat, the tick's worker, probe workers ------------------------------------


def services(options, workdir: Path, regions: tuple[str, ...] = (REGION,)) -> dict[str, Service]:
    """Probe workers on each region's queue; the tick and the other periodic tasks on a worker of their
    own, so the tick never waits behind a probe batch; beat."""
    common = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
    tag = f"bench-probes-{os.getpid()}"
    running = {}
    for region in regions:
        probes = [
            "worker",
            "-Q",
            f"probes.{region}",
            "--concurrency",
            str(options.workers),
            "--pool",
            "prefork",
        ]
        name = f"probe-workers-{region}"
        running[name] = Service(name, [*probes, "-n", f"{tag}-{region}@%h", *common], " ready.", workdir)
    # Spare processes: a rollup feed or a burst of status propagation runs for seconds at a time, and
    # a tick stuck behind it for longer than its claim-ahead margin makes probes late (tasks.CLAIM_AHEAD_S).
    default = ["worker", "-Q", "default", "--concurrency", "3"]
    running["tick-worker"] = Service(
        "tick-worker", [*default, "-n", f"{tag}-default@%h", *common], " ready.", workdir
    )
    running["beat"] = Service(
        "beat", ["beat", "--loglevel", "INFO", "--schedule", str(workdir / "beat")], "beat: Starting", workdir
    )
    return running


def scheduling(options, running: dict[str, Service], broker, regions: tuple[str, ...] = (REGION,)) -> dict:
    from datetime import UTC, datetime, timedelta

    from monitors.history import aggregator
    from monitors.models import Monitor, ProbeResult

    # Start as a running installation is: its rollup feed current. Left behind, the feed's first run
    # would fold the throughput and timing parts' results while every probe batch waits on its lock.
    aggregator.catch_up(datetime.now(UTC), timedelta(0))
    # One region is the workers' own (PROBE_REGION); several are named on each monitor.
    Monitor.objects.filter(name__startswith="sched-").update(regions=[] if regions == (REGION,) else regions)
    for service in running.values():
        service.start()
    for service in running.values():
        service.wait_ready()
    first_due = spread_due_times(datetime.now(UTC) + timedelta(seconds=5), options.interval)
    end = min(first_due.values()) + timedelta(seconds=options.schedule_seconds)
    log(f"scheduling {len(first_due)} monitors in {len(regions)} region(s) every {options.interval} s "
        f"until {end:%H:%M:%S} UTC")  # fmt: skip
    queues, backlog = [f"probes.{region}" for region in regions], []
    while datetime.now(UTC) < end + timedelta(seconds=options.tick + 1):
        backlog.append(sum(broker.llen(queue) for queue in queues))
        time.sleep(1)
    running["beat"].stop()
    in_regions = ProbeResult.objects.filter(region__in=regions)
    settle(lambda: not any(broker.llen(queue) for queue in queues) and in_regions.count(), 120)
    for service in running.values():
        service.stop()
    per_region = {}
    for region in regions:
        results = in_regions.filter(region=region).values_list("monitor_id", "started_at", "outcome")
        late = lateness(list(results), first_due, timedelta(seconds=options.interval), end)
        per_region[region] = {
            **late,
            "probes_per_s": round(late["probed"] / options.schedule_seconds, 1),
            # Probes started within the lag goal: a rate that only counts what was on time.
            "on_time_per_s": round(late["on_time"] / options.schedule_seconds, 1),
        }
    setup = {
        "monitors": len(first_due),
        "interval_s": options.interval,
        "duration_s": options.schedule_seconds,
        "tick_s": options.tick,
        "batch": options.sched_batch,
        "concurrency_per_batch": options.concurrency,
        "probe_worker_processes": options.workers,
        "max_queued_batches": max(backlog, default=0),
    }
    if regions == (REGION,):
        return {**setup, **per_region[REGION]}
    return {
        **setup,
        "regions": per_region,
        "probes_per_s": round(sum(r["probes_per_s"] for r in per_region.values()), 1),
        "on_time_per_s": round(sum(r["on_time_per_s"] for r in per_region.values()), 1),
    }


def spread_due_times(start, interval_s: int) -> dict:
    """First due times spread evenly over one interval from `start`, in one statement; read back."""
    from django.db import connection

    from monitors.models import Monitor

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE monitors_monitor AS m
            SET next_probe_at = %s + make_interval(secs => %s::float8 * (s.n - 1) / s.total)
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total
                  FROM monitors_monitor WHERE name LIKE 'sched-%%') AS s
            WHERE m.id = s.id
            """,
            [start, interval_s],
        )
    return dict(Monitor.objects.filter(name__startswith="sched-").values_list("pk", "next_probe_at"))


def lateness(results: list, first_due: dict, interval, end) -> dict:
    """The scheduler keeps each monitor's phase, so its k-th due time is first + k intervals: every due
    time before `end` needs exactly one result, started at or after it; lag = start - due."""
    seen: Counter = Counter()
    lags, outcomes, early = [], Counter(), 0
    per_interval: dict[int, list[float]] = {}
    for monitor_id, started_at, outcome in results:
        k, since_due = divmod(started_at - first_due[monitor_id], interval)
        if k < 0:
            early += 1
        elif first_due[monitor_id] + k * interval < end:  # later ones were claimed in the slack
            seen[(monitor_id, k)] += 1
            lags.append(since_due.total_seconds() * 1000)
            per_interval.setdefault(k, []).append(lags[-1])
            outcomes[outcome] += 1
    expected = sum(-(-(end - due) // interval) for due in first_due.values())  # due times before end
    return {
        "expected_probes": expected,
        "probed": len(seen),
        "missing": expected - len(seen),
        "duplicates": sum(count - 1 for count in seen.values()),
        "early": early,
        "lag_ms": percentiles(lags),
        "on_time": sum(lag <= GOALS["lag_p99_ms"] for lag in lags),
        "lag_p99_ms_per_interval": [percentiles(v)["p99"] for _, v in sorted(per_interval.items())],
        "not_ok": {name: count for name, count in outcomes.items() if name != "ok"},
    }


def settle(count, timeout: float) -> None:
    """Wait until count() (falsy while not ready) stops changing for 3 s, or the timeout."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif now and time.monotonic() - since >= 3:
            return
        time.sleep(0.5)


# --- set-up and clean-up --------------------------------------------------------------------------


def configure(options, redis_db: int) -> tuple[str, str]:
    """Point this process and everything it starts at the bench's own database, Redis and settings."""
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage"))
    name = f"statuspage_bench_probes_{os.getpid()}"
    redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    os.environ.update(
        DATABASE_URL=urlunsplit(server._replace(path=f"/{name}")),
        REDIS_URL=urlunsplit(redis._replace(path=f"/{redis_db}")),
        STATUSPAGE_ENV=os.environ.get("STATUSPAGE_ENV", "development"),
        DJANGO_SETTINGS_MODULE="statuspage.settings",
        LOG_LEVEL="WARNING",
        PROBE_REGION=REGION,
        SCHEDULER_TICK_SECONDS=str(options.tick),
        PROBE_BATCH_SIZE=str(options.sched_batch),
        PROBE_CONCURRENCY=str(options.concurrency),
        **{KEY_ENV: KEY},
    )
    return urlunsplit(server._replace(path="/postgres")), name


def free_redis_db(url: str) -> int:
    """The highest-numbered empty Redis database: the bench's queues must meet no one else's workers."""
    import redis

    for number in range(15, 0, -1):
        if redis.Redis.from_url(urlunsplit(urlsplit(url)._replace(path=f"/{number}"))).dbsize() == 0:
            return number
    raise RuntimeError("no empty Redis database (1-15) for the bench's queues")


def create_monitors(count: int, interval: int, targets: list[Endpoint]) -> list[int]:
    """Scheduling monitors over the endpoints, first-token delays of 100-400 ms; none due yet."""
    from datetime import UTC, datetime, timedelta

    from monitors.models import Monitor, Provider

    later = datetime.now(UTC) + timedelta(days=1)
    providers = {
        t.provider: Provider.objects.create(
            name=t.provider, slug=t.provider, base_url=t.url, api_key_env=KEY_ENV
        )
        for t in targets
    }
    monitors = []
    for i in range(count):
        target = targets[i % len(targets)]
        monitors.append(
            Monitor(
                provider=providers[target.provider],
                name=f"sched-{i}",
                kind=target.kind,
                url=target.url,
                model=target.model,
                stream=True,
                interval_s=interval,
                timeout_s=10,
                ttft_timeout_s=8,
                stall_timeout_s=5,
                options={"headers": {"X-Fake-TTFT-Ms": str(100 + 100 * (i // len(targets) % 4))}},
                next_probe_at=later,
            )
        )
    Monitor.objects.bulk_create(monitors, batch_size=2000)
    return list(Monitor.objects.order_by("pk").values_list("pk", flat=True))


def main() -> None:
    options = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on a polite kill too
    import redis

    redis_db = free_redis_db(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin_url, db_name = configure(options, redis_db)
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    workdir = Path(tempfile.mkdtemp(prefix="bench-probes-"))
    running = services(options, workdir)
    regional = services(options, workdir, TWO_REGIONS)
    from monitors.fakeprovider.provider import ProviderSpec
    from tests.fakefleet import FakeFleet

    providers = [ProviderSpec(name, dialect, 0, KEY) for name, dialect, *_ in TARGETS]
    fleets = [FakeFleet(providers, api_key=KEY) for _ in range(options.fakes)]
    create_database(admin_url, db_name)
    figures = {"bench": "probes", "goals": GOALS, "fake_processes": options.fakes}
    figures["load_average_at_start"] = os.getloadavg()
    try:
        for fleet in fleets:
            fleet.start()
        fake_pids = [fleet._process.pid for fleet in fleets]  # for their CPU time: they share the machine
        figures["fake_nice"] = prioritise(fake_pids)
        targets = endpoints(fleets)
        import django

        django.setup()
        from django.core.management import call_command

        log("migrating a fresh database")
        call_command("migrate", verbosity=0)
        monitor_ids = create_monitors(options.monitors, options.interval, targets)
        if "throughput" in options.only:
            figures["throughput"] = throughput(options, targets, monitor_ids, fake_pids)
        if "timing" in options.only:
            figures["timing"] = timing(options, targets, monitor_ids, fake_pids)
        if "scheduling" in options.only:
            figures["scheduling"] = scheduling(options, running, broker)
        if "regions" in options.only:
            two = scheduling(options, regional, broker, TWO_REGIONS)
            if "scheduling" in figures:  # on time in both regions, against twice one region on its own
                two["adds_up"] = round(two["on_time_per_s"] / (2 * figures["scheduling"]["on_time_per_s"]), 3)
            figures["regions"] = two
        figures["load_average_at_end"] = os.getloadavg()
    finally:
        for service in [*running.values(), *regional.values()]:
            service.stop()
        for fleet in fleets:
            fleet.stop()
        cleanup(admin_url, db_name, broker)
        if options.keep_logs:
            log(f"Celery logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(figures, separators=(",", ":")))


def prioritise(pids: list[int]) -> int:
    """The fake plays providers that in the field run on machines of their own; here it shares two cores
    with the prober, and a reply it sends late because a prober process held the core would be charged
    to the prober's timing. A higher scheduling priority (when allowed: root) keeps its replies on time.
    Returns the nice value the fake runs at."""
    try:
        for pid in pids:
            os.setpriority(os.PRIO_PROCESS, pid, FAKE_NICE)
    except PermissionError:
        log("not allowed to raise the fake's priority: its lateness will count in the timing error")
        return os.getpriority(os.PRIO_PROCESS, pids[0])
    return FAKE_NICE


def create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def cleanup(admin_url: str, db_name: str, broker) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    broker.flushdb()  # it was empty when the bench chose it


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small rounds, 60 s of scheduling")
    parser.add_argument("--fakes", type=int, default=2, help="fake provider fleet processes (2)")
    parser.add_argument("--processes", type=int, default=2, help="engine processes for throughput, timing")
    parser.add_argument("--workers", type=int, default=4, help="probe worker processes for scheduling")
    parser.add_argument("--concurrency", type=int, default=100, help="probes in flight per process (100)")
    parser.add_argument("--batch", type=int, default=200, help="probes per batch in the throughput runs")
    parser.add_argument("--throughput-probes", type=int, default=6000, help="probes per throughput run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timing-probes", type=int, default=6000)
    parser.add_argument("--timing-concurrency", type=int, default=100, help="in flight per process")
    parser.add_argument("--timing-batch", type=int, default=1000)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=60, help="seconds between a monitor's probes")
    parser.add_argument("--schedule-seconds", type=int, default=300, help="length of the scheduling run")
    parser.add_argument(
        "--tick", type=float, default=5.0, help="SCHEDULER_TICK_SECONDS for beat (5, the default)"
    )
    parser.add_argument("--sched-batch", type=int, default=200, help="PROBE_BATCH_SIZE (200, the default)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the Celery logs (path on stderr)")
    options = parser.parse_args()
    options.only = options.only or PARTS
    if options.quick:
        options.rounds, options.throughput_probes, options.timing_probes = 1, 2000, 2000
        options.schedule_seconds = 60
    return options


if __name__ == "__main__":
    main()
