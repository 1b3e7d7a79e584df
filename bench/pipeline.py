"""The real pipeline for a bench run: the fake fleet, one Celery worker per region, beat, fresh stores."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
REGIONS = ("us", "eu", "ap")
API_KEY = "sk-fake"


class Children:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        kwargs.setdefault("stdout", log)
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=log, start_new_session=True, **kwargs)
        self.procs.append((name, proc))
        return proc

    def check(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise SystemExit(f"bench: {name} exited with {proc.returncode}; see {self.logs / name}.log")

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def start_fleet(
    children: Children, env: dict[str, str], tmp: Path, seed: int, fleet: list[tuple[str, str]]
) -> tuple[str, dict[str, int]]:
    """The fake providers on free ports; returns the control URL and each provider's port."""
    fleet_file = tmp / "fleet.json"
    fleet_file.write_text(
        json.dumps({"providers": [{"name": n, "kind": k, "port": 0, "api_key": API_KEY} for n, k in fleet]})
    )
    proc = children.start(
        "fleet",
        [
            PY,
            "-m",
            "monitors.fakeprovider",
            "--fleet",
            str(fleet_file),
            "--control-port",
            "0",
            "--seed",
            str(seed),
            "--beat-s",
            "0.25",
            "--exit-on-stdin-eof",
        ],
        env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    ports: dict[str, int] = {}
    control = ""
    deadline = time.monotonic() + 30
    while not control:
        line = proc.stdout.readline().decode()
        if not line or time.monotonic() > deadline:
            raise SystemExit(f"bench: the fake fleet did not start; see {children.logs}/fleet.log")
        words = line.split()
        if line.startswith("fakeprovider control listening on"):
            control = words[-1]
        elif line.startswith("fakeprovider ") and "listening on" in line:
            ports[words[1]] = int(words[-1].rsplit(":", 1)[1])
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()  # keep draining
    return control, ports


def start_pipeline(children: Children, env: dict[str, str], tmp: Path) -> None:
    worker = [
        PY,
        "bench/region_worker.py",
        "-A",
        "statuspage",
        "worker",
        "--pool",
        "threads",
        "--concurrency",
        "8",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    for region, queues in [("default", "default,probes.default")] + [(r, f"probes.{r}") for r in REGIONS]:
        children.start(
            f"worker-{region}",
            [*worker, "-Q", queues, "-n", f"{region}@bench"],
            {**env, "BENCH_REGION": region},
        )
    children.start(
        "beat",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "statuspage",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(tmp / "beat-schedule"),
        ],
        env,
    )


def bench_database(url: str) -> str:
    """A fresh `<db>_detection_bench` on the same server: the bench never touches your data."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "statuspage") + "_detection_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_redis(url: str, db: int = 13) -> str:
    import redis

    parts = urlsplit(url)
    bench = urlunsplit(parts._replace(path=f"/{db}"))
    redis.Redis.from_url(bench).flushdb()
    return bench
