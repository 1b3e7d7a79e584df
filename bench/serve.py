"""Serving benchmark: the page and summary.json under a surge, and render cost against history size.

Run from the repository root with the project's environment (Postgres and Redis reachable through
DATABASE_URL / REDIS_URL, or the defaults on 127.0.0.1); wrk and nginx on PATH (Debian packages):

    .venv/bin/python bench/serve.py            # about 5 minutes: builds 13 million probe results
    .venv/bin/python bench/serve.py --quick    # about 2 minutes: 1/10 of the history

It creates its own database (statuspage_bench_serve) with 50 components and monitors, runs every server
on loopback ports and stops them, and drops the database at the end. Figures, each beside a baseline
measured in the same run:
  a) the app server docker-compose runs (granian, WSGI) serving / and /api/v2/summary.json, against the
     same server returning a constant response of the same size;
  b) the front proxy docker-compose ships (deploy/nginx/statuspage.conf, nginx run natively) in front of
     it, against the same nginx serving the same bytes as static files (gzip_static for gzip, a .br
     file beside the page for brotli, as a browser accepts it); each measured with no Accept-Encoding
     and with a browser's, every variant warmed first, and every proxied response's X-Cache tallied
     (a ratio over misses would measure the app, not the cache);
  c) the snapshot's render time with 1 day and with 90 days of probe history (50 monitors, one probe
     every 30 s: 13 million rows), and gunicorn beside granian for the app-server choice (the `bench`
     extra installs it: pip install -e '.[bench]');
  d) what a first view of the page transfers: the HTML, its stylesheets and scripts, as sent to a
     client that takes gzip only and to a browser (brotli).
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "statuspage_bench_serve"
COMPONENTS, GROUPS = 50, 10
PROBE_INTERVAL_S = 30
PATHS = ("/", "/api/v2/summary.json")
# What wrk sends: nothing (a script or a poller) and what Chromium sends; the goal holds for both.
ENCODINGS = {"identity": "", "browser": "gzip, deflate, br, zstd"}
# First-view bytes for a client that takes gzip only and for a browser (which takes brotli too).
FIRST_VIEW = {"gzip": "gzip", "br": ENCODINGS["browser"]}
GRANIAN_WORKERS = 2  # docker-compose's web service runs the same command (see the report)


def granian_command(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(GRANIAN_WORKERS), "--backlog", "2048", "--no-ws", app,
    ]  # fmt: skip


def gunicorn_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(GRANIAN_WORKERS),
        "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
        "statuspage.wsgi:application",
    ]  # fmt: skip


# --- The constant-response baseline, served by granian itself -------------------------------------
_CONSTANT: dict[str, bytes] = {}


def constant_app(environ, start_response):
    """A WSGI app answering each benchmarked path with fixed bytes: the ceiling for any Python app."""
    if not _CONSTANT:
        for path, file in json.loads(os.environ["BENCH_CONSTANT_BODIES"]).items():
            _CONSTANT[path] = Path(file).read_bytes()
    body = _CONSTANT.get(environ["PATH_INFO"], b"")
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


# --- Processes and ports ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(stack: ExitStack, argv: list[str], env: dict[str, str], probe_url: str | None) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(prefix="bench-serve-", suffix=".log", delete=False)  # noqa: SIM115
    stack.callback(os.unlink, log.name)
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.callback(stop, process)
    if probe_url:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(probe_url, timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                tail = Path(log.name).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{' '.join(argv[:4])} did not come up:\n{tail}")
            time.sleep(0.2)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# Counts each response's X-Cache header across wrk's threads; run against every server alike, so the
# per-response Lua call costs each side the same.
TALLY_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) tally = {} end
function response(status, headers, body)
  local state = headers["X-Cache"] or "none"
  tally[state] = (tally[state] or 0) + 1
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for state, count in pairs(thread:get("tally")) do
      io.write(string.format("x-cache %s %d\\n", state, count))
    end
  end
end
"""


def wrk(url: str, duration: int, connections: int, encoding: str = "", script: Path | None = None) -> dict:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if encoding:
        argv += ["-H", f"Accept-Encoding: {encoding}"]
    if script:
        argv += ["-s", str(script)]
    argv.append(url)
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    tally: dict[str, int] = {}
    for state, count in re.findall(r"^x-cache (\S+) (\d+)$", out, re.MULTILINE):
        tally[state] = tally.get(state, 0) + int(count)
    return {
        "rps": round(rps),
        "p99_ms": round(float(p99[1]) * scale, 2),
        "non_2xx": int(errors[1]) if errors else 0,
        **({"x_cache": tally} if tally.keys() - {"none"} else {}),
    }


# --- The database: components, incidents, rollups and raw results ----------------------------------
def bench_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + BENCH_DB)), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database(admin_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def seed(now: datetime) -> list[int]:
    """50 components in 10 groups, one monitor each (plus each provider's status page), 40 incidents."""
    import random

    from monitors.models import Monitor, Provider
    from statuspage.components.models import Component, ComponentGroup
    from statuspage.incidents import services
    from statuspage.incidents.drafts import IncidentDraft, UpdateDraft

    rng = random.Random(5)
    monitors, components = [], []
    born = now - timedelta(days=120)
    for g in range(GROUPS):
        provider = Provider.objects.create(
            name=f"provider-{g}", slug=f"provider-{g}", base_url="http://127.0.0.1:9"
        )
        group = ComponentGroup.objects.create(name=f"Provider {g}", position=g + 1)
        Monitor.objects.create(provider=provider, name="status page", kind="upstream", url="http://127.0.0.1:9",
                               interval_s=PROBE_INTERVAL_S, last_probe_at=now, status="up")  # fmt: skip
        for c in range(COMPONENTS // GROUPS):
            monitor = Monitor.objects.create(
                provider=provider, name=f"model-{c}", kind="openai", url="http://127.0.0.1:9/v1",
                model=f"family{g}-model-{c}", interval_s=PROBE_INTERVAL_S, status="up", last_probe_at=now,
            )  # fmt: skip
            component = Component.objects.create(
                name=f"Model {c}", group=group, position=c + 1, created_at=born
            )
            component.monitors.set([monitor])
            monitors.append(monitor.pk)
            components.append(component)
    for _ in range(40):
        component = rng.choice(components)
        start_at = now - timedelta(days=rng.uniform(0.5, 89), hours=rng.uniform(0, 23))
        incident = services.open_incident(
            IncidentDraft(
                name="Elevated errors",
                impact=rng.choice(["minor", "major", "critical"]),
                body="Investigating.",
                component_statuses={component: "partial_outage"},
            ),
            now=start_at,
        )
        services.post_update(
            incident,
            UpdateDraft(status="resolved", body="Resolved.", component_statuses={component: "operational"}),
            now=start_at + timedelta(minutes=rng.uniform(5, 300)),
        )
    return monitors


ROLLUP_SQL = """
INSERT INTO monitors_{table} (monitor_id, region, {period}, probes, outcomes, up_ms, degraded_ms, down_ms,
                              unknown_ms, ttft, total, tps)
SELECT m.id, 'default', p.at, %(probes)s, jsonb_build_object('ok', %(probes)s - 3, 'server_error', 3),
       %(span)s, 0, 0, 0,
       jsonb_build_object((96 + m.id %% 5)::text, %(probes)s - 3),
       jsonb_build_object((108 + m.id %% 7)::text, %(probes)s - 3),
       jsonb_build_object('70', %(probes)s - 3)
FROM monitors_monitor m,
     generate_series(%(first)s::timestamptz, %(last)s::timestamptz, %(step)s::interval) AS p(at)
WHERE m.kind = 'openai'
ON CONFLICT DO NOTHING
"""

RESULTS_SQL = """
INSERT INTO monitors_proberesult (monitor_id, started_at, region, outcome, error_type, message, ttft_ms,
                                  total_ms, details, span_ms, span_status)
SELECT m.id, t.at, 'default', 'ok', '', '', 200 + m.id %% 50, 900 + m.id %% 70,
       CASE WHEN m.kind = 'upstream'
            THEN '{"indicator": "none", "description": "All Systems Operational", "components": {}}'::jsonb
            ELSE '{}'::jsonb END,
       30000, 'up'
FROM monitors_monitor m,
     generate_series(%(first)s::timestamptz, %(last)s::timestamptz, %(step)s::interval) AS t(at)
WHERE m.kind = 'openai' OR %(upstream)s
"""
# Loading 13 million rows is much faster with the unique key built once afterwards than kept up to
# date row by row; the table ends up exactly as the migrations define it.
DROP_KEY = "ALTER TABLE monitors_proberesult DROP CONSTRAINT proberesult_key"
ADD_KEY = (
    "ALTER TABLE monitors_proberesult ADD CONSTRAINT proberesult_key UNIQUE (monitor_id, started_at, region)"
)


def add_history(now: datetime, first_day: int, last_day: int) -> int:
    """Raw results every 30 s and daily rollups for days [first_day, last_day) ago; hourly for 24 h.

    The days load on two connections at once (one per core); the status pages' results only today.
    """
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from django.db import connection

    from monitors.history import partitions

    today = now.date()
    partitions.ensure(today - timedelta(days=last_day), today + timedelta(days=1))
    database_url = os.environ["DATABASE_URL"]

    def load(days: list[int]) -> int:
        rows = 0
        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute("SET synchronous_commit = off")
            for ago in days:
                day = today - timedelta(days=ago)
                start_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
                end_at = min(start_at + timedelta(days=1), now) - timedelta(seconds=PROBE_INTERVAL_S)
                rows += db.execute(RESULTS_SQL, {
                    "first": start_at, "last": end_at, "step": f"{PROBE_INTERVAL_S} seconds",
                    "upstream": ago == 0,
                }).rowcount  # fmt: skip
                db.execute(ROLLUP_SQL.format(table="dailyrollup", period="day"), {
                    "first": start_at, "last": start_at, "step": "1 day", "probes": 2880, "span": 86_400_000,
                })  # fmt: skip
        return rows

    days = list(range(first_day, last_day))
    with connection.cursor() as cursor:
        # No autovacuum of the fresh partitions while we time renders: it would compete for the same two
        # cores and make the larger history look slower for a reason that is not the page's.
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'monitors_proberesult'::regclass"
        )
        for (partition,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{partition}" SET (autovacuum_enabled = false)')
        cursor.execute(DROP_KEY)
    with ThreadPoolExecutor(2) as pool:
        rows = sum(pool.map(load, [days[0::2], days[1::2]]))
    with connection.cursor() as cursor:
        cursor.execute(ADD_KEY)
        hour = now.replace(minute=0, second=0, microsecond=0)
        cursor.execute(ROLLUP_SQL.format(table="hourlyrollup", period="hour"), {
            "first": hour - timedelta(hours=23), "last": hour, "step": "1 hour", "probes": 120,
            "span": 3_600_000,
        })  # fmt: skip
        # The rollups hold these results as the feed would have added them, which keeps its watermark
        # a few minutes behind now (ROLLUP_FEED_SECONDS + ROLLUP_SETTLE_SECONDS): readers add only the
        # raw results after it.
        cursor.execute(
            "INSERT INTO monitors_rollupprogress (id, through) VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET through = excluded.through",
            [now - timedelta(minutes=6)],
        )
        cursor.execute("ANALYZE")
    return rows


def render_times(repeat: int) -> list[float]:
    """Milliseconds to render the whole snapshot (page, partials, API, feeds, badges) from the database."""
    from statuspage.serving.snapshot import build

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        times.append((time.perf_counter() - started) * 1000)
    return times


def history_independence(days: int, rounds: int = 4, repeat: int = 5) -> dict:
    """Render time with only today's raw results attached, and with all `days` of them.

    The two states take turns (the older daily partitions detached, then attached again: instant,
    as a CHECK constraint on each spares the re-validation scan), so that a change in the machine's
    other load falls on both alike. The rollups stay as they are: they are what the page reads.
    """
    from django.db import connection

    from monitors.history import partitions

    today = partitions.name(datetime.now(UTC).date())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'monitors_proberesult'::regclass"
        )
        older = [(name, bound) for name, bound in cursor.fetchall() if name < today]
        for name, bound in older:
            low, high = re.findall(r"'([^']+)'", bound)
            cursor.execute(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "{name}_bound" '
                f"CHECK (started_at >= '{low}' AND started_at < '{high}')"
            )
        cursor.execute("SELECT count(*) FROM monitors_proberesult")
        total = cursor.fetchone()[0]

    def attach(on: bool) -> None:
        with connection.cursor() as cursor:
            for name, bound in older:
                if on:
                    cursor.execute(f'ALTER TABLE monitors_proberesult ATTACH PARTITION "{name}" {bound}')
                else:
                    cursor.execute(f'ALTER TABLE monitors_proberesult DETACH PARTITION "{name}"')

    render_times(2)  # warm the template and query caches
    times: dict[str, list[float]] = {"one_day": [], "all_days": []}
    for _ in range(rounds):
        attach(False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM monitors_proberesult")
            one_day = cursor.fetchone()[0]
        times["one_day"] += render_times(repeat)
        attach(True)
        times["all_days"] += render_times(repeat)
    best = {state: round(min(found), 1) for state, found in times.items()}
    median = {state: round(statistics.median(found), 1) for state, found in times.items()}
    return {
        "probe_results": {"one_day": one_day, "all_days": total},
        "days": days,
        "render_ms_best": best,
        "render_ms_median": median,
        "ratio": round(median["all_days"] / median["one_day"], 3),
        "ratio_best": round(best["all_days"] / best["one_day"], 3),
    }


# --- Serving measurements --------------------------------------------------------------------------
NGINX_MAIN = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; application/json json; }}
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    {proxy}
    # The app's brotli bytes as a file beside the page (gzip_static has no brotli twin): chosen the way
    # the front proxy chooses its br class, sent with the Content-Encoding the app would send.
    map $http_accept_encoding $static_br {{
        default "";
        "~*\\bbr\\b" .br;
    }}
    map $static_br $static_coding {{
        .br     br;
        default "";
    }}
    server {{
        listen 127.0.0.1:{static_port};
        root {tmp}/static;
        gzip_static on;
        add_header Content-Encoding $static_coding;
        location = / {{ default_type text/html; try_files /index.html$static_br =404; }}
        location = /api/v2/summary.json {{ default_type application/json; try_files $uri$static_br =404; }}
    }}
}}
"""


def nginx_proxy_config(tmp: Path, app_port: int, proxy_port: int) -> str:
    """deploy/nginx/statuspage.conf as shipped, pointed at loopback ports and a scratch cache."""
    shipped = (ROOT / "deploy" / "nginx" / "statuspage.conf").read_text()
    adapted = (
        shipped.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
        .replace("listen 80 default_server;", f"listen 127.0.0.1:{proxy_port};")
        .replace("/var/cache/nginx/statuspage", str(tmp / "cache"))
    )
    assert adapted.count("127.0.0.1") == 2, "deploy/nginx/statuspage.conf changed shape"
    return adapted


def serving(
    stack: ExitStack, env: dict[str, str], tmp: Path, duration: int, connections: int, rounds: int
) -> dict:
    results: dict = {}
    app_port = free_port()
    start(
        stack, granian_command("statuspage.wsgi:application", app_port), env, f"http://127.0.0.1:{app_port}/"
    )
    bodies = {}
    static = tmp / "static"
    (static / "api" / "v2").mkdir(parents=True)
    for path in PATHS:
        plain = httpx.get(f"http://127.0.0.1:{app_port}{path}", headers={"Accept-Encoding": ""}).content
        name = "index.html" if path == "/" else "api/v2/summary.json"
        (static / name).write_bytes(plain)
        # The app's own compressed bytes (gzip_static, and the .br location above): the static side
        # sends what the app sends.
        (static / f"{name}.gz").write_bytes(as_sent(f"http://127.0.0.1:{app_port}{path}", "gzip"))
        (static / f"{name}.br").write_bytes(as_sent(f"http://127.0.0.1:{app_port}{path}", "br"))
        bodies[path] = str(static / name)
    results["body_bytes"] = {path: Path(file).stat().st_size for path, file in bodies.items()}
    results["first_view_bytes"] = {
        label: first_view(f"http://127.0.0.1:{app_port}", coding) for label, coding in FIRST_VIEW.items()
    }
    for label, coding in FIRST_VIEW.items():
        results[f"body_{label}_bytes"] = {
            path: len(as_sent(f"http://127.0.0.1:{app_port}{path}", coding)) for path in PATHS
        }

    const_port = free_port()
    const_env = {**env, "BENCH_CONSTANT_BODIES": json.dumps(bodies), "PYTHONPATH": str(ROOT / "bench")}
    start(
        stack, granian_command("serve:constant_app", const_port), const_env, f"http://127.0.0.1:{const_port}/"
    )

    proxy_port, static_port = free_port(), free_port()
    for name in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir()
    config = tmp / "nginx.conf"
    config.write_text(NGINX_MAIN.format(tmp=tmp, static_port=static_port,
                                        proxy=nginx_proxy_config(tmp, app_port, proxy_port)))  # fmt: skip
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    start(stack, [nginx, "-c", str(config), "-g", "daemon off;"], env, f"http://127.0.0.1:{static_port}/")
    for path in PATHS:  # the static side sends the app's bytes in each coding the runs ask for
        for coding in ENCODINGS.values():
            static_bytes = as_sent(f"http://127.0.0.1:{static_port}{path}", coding)
            assert static_bytes == as_sent(f"http://127.0.0.1:{app_port}{path}", coding), (path, coding)
    script = tmp / "tally.lua"
    script.write_text(TALLY_LUA)

    # The machine is shared (other work, and wrk itself): the four servers take turns, several rounds,
    # and each keeps its best round, so a burst of outside load does not decide a ratio. The constant
    # app answers identity only, so the app's figures are taken without Accept-Encoding.
    proxies = {"nginx_proxy_cache": proxy_port, "nginx_static": static_port}
    apps = {"granian_app": app_port, "granian_constant": const_port}
    for path in PATHS:
        for encoding in ENCODINGS.values():  # a reader has been here before: every variant is cached
            for _ in range(2):
                httpx.get(f"http://127.0.0.1:{proxy_port}{path}", headers={"Accept-Encoding": encoding})
        figures: dict = {}
        for label, encoding in ENCODINGS.items():
            targets = {**proxies, **(apps if label == "identity" else {})}
            runs: dict[str, list[dict]] = {name: [] for name in targets}
            for _ in range(rounds):
                for name, port in targets.items():
                    runs[name].append(wrk(f"http://127.0.0.1:{port}{path}", duration, connections,
                                          encoding, script))  # fmt: skip
            best = {name: max(found, key=lambda r: r["rps"]) for name, found in runs.items()}
            figures[label] = {
                **best,
                "proxy_over_static": round(best["nginx_proxy_cache"]["rps"] / best["nginx_static"]["rps"], 3),
                "rounds_rps": {name: [r["rps"] for r in found] for name, found in runs.items()},
            }
            if label == "identity":
                figures["app_over_constant"] = round(
                    best["granian_app"]["rps"] / best["granian_constant"]["rps"], 3
                )
        figures["proxy_over_static"] = min(figures[label]["proxy_over_static"] for label in ENCODINGS)
        results["page" if path == "/" else "summary"] = figures
    return results


def as_sent(url: str, accept_encoding: str) -> bytes:
    """The body as it crossed the wire to a client that accepts these codings (compressed, if it was)."""
    with httpx.stream("GET", url, headers={"Accept-Encoding": accept_encoding}) as response:
        return b"".join(response.iter_raw())


def first_view(base: str, accept_encoding: str) -> dict[str, int]:
    """Bytes a first visit to / transfers, compressed as served: the HTML and what it links."""
    html = httpx.get(f"{base}/").text
    sizes = {"html": len(as_sent(f"{base}/", accept_encoding)), "css": 0, "js": 0}
    for kind, pattern in (("css", r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"'),
                          ("js", r'<script[^>]+src="([^"]+)"')):  # fmt: skip
        for href in re.findall(pattern, html):
            sizes[kind] += len(as_sent(str(httpx.URL(f"{base}/").join(href)), accept_encoding))
    sizes["total"] = sizes["html"] + sizes["css"] + sizes["js"]
    sizes["html_per_component"] = round(sizes["html"] / COMPONENTS)
    return sizes


def gunicorn_beside(stack: ExitStack, env: dict[str, str], duration: int, connections: int) -> dict:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return {"skipped": "gunicorn is not installed: pip install -e '.[bench]'"}
    port = free_port()
    process = start(stack, gunicorn_command(port), env, f"http://127.0.0.1:{port}/")
    figures = {path: max((wrk(f"http://127.0.0.1:{port}{path}", duration, connections) for _ in range(2)),
                         key=lambda r: r["rps"]) for path in PATHS}  # fmt: skip
    stop(process)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1/10 of the history: 9 days instead of 90")
    parser.add_argument("--duration", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="turns each server takes per path")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--keep-db", action="store_true")
    options = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            sys.exit(f"bench/serve.py needs {tool}: apt-get install {tool}")

    database_url, admin_url = bench_urls()
    env = {
        **os.environ,
        "STATUSPAGE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "statuspage.settings"
    sys.path.insert(0, str(ROOT))
    recreate_database(admin_url)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    figures: dict = {"components": COMPONENTS}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        if not options.keep_db:
            stack.callback(drop_database, admin_url)
        tmp = Path(scratch)
        tmp.chmod(0o755)  # nginx workers run unprivileged
        call_command("migrate", verbosity=0)
        now = datetime.now(UTC)
        seed(now)
        days = 9 if options.quick else 90
        generating = time.monotonic()
        rows = add_history(now, 0, days)
        print(
            f"{days} days of history: {rows} probe results ({time.monotonic() - generating:.0f} s)",
            flush=True,
        )
        figures["history"] = history_independence(days)
        print(f"snapshot render: {figures['history']}", flush=True)
        figures["serving"] = serving(stack, env, tmp, options.duration, options.connections, options.rounds)
        print(json.dumps(figures["serving"], indent=1), flush=True)
        figures["gunicorn_app"] = gunicorn_beside(stack, env, options.duration, options.connections)
    figures["seconds"] = round(time.monotonic() - started)
    page, summary = figures["serving"]["page"], figures["serving"]["summary"]
    figures["goals"] = {
        "app_over_constant_at_least_0.8": min(page["app_over_constant"], summary["app_over_constant"]) >= 0.8,
        "proxy_over_static_at_least_0.8": min(page["proxy_over_static"], summary["proxy_over_static"]) >= 0.8,
        "history_ratio_under_1.2": figures["history"]["ratio"] < 1.2,
    }
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
