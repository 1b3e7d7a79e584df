"""The processes bench/probes.py runs: load generators started together, and Celery services."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TTFT_HEADER = "x-fake-ttft-ms"


async def bare_loop(requests: list, concurrency: int, warm: bool) -> tuple[float, Counter, list[float]]:
    """The baseline: aiohttp on pooled connections, each body read to its end. Returns when the measured
    part started, the statuses, and ms from send to end of body per request (with one token, the fake
    sends the token and the rest of the stream together). `warm` first opens the pool's connections
    with a round of the same requests, so connecting is left out of the times."""
    import aiohttp

    semaphore = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:

        async def one(method: str, url: str, headers: list, body: bytes) -> tuple[int, float]:
            async with semaphore:
                started = time.perf_counter()
                async with session.request(method, url, headers=headers, data=body) as response:
                    async for _ in response.content.iter_chunked(65536):
                        pass
                return response.status, (time.perf_counter() - started) * 1000

        if warm:
            await asyncio.gather(*(one(m, u, [h for h in hs if h[0] != TTFT_HEADER], b) for m, u, hs, b in
                                   requests[:concurrency]))  # fmt: skip
        started = time.time()
        done = await asyncio.gather(*(one(*request) for request in requests))
    return started, Counter(str(status) for status, _ in done), [ms for _, ms in done]


def child(mode: str, work: list, options: dict, barrier, results) -> None:
    """One process's share of (item, injected TTFT or None): `bare` replays requests, `engine` probes,
    `engine+db` also records each batch (a probe worker's path). Samples: measured minus injected, ms."""
    import django

    django.setup()
    from monitors import engine
    from monitors.recording import record

    items = [item for item, _ in work]
    barrier.wait()
    started, cpu = time.time(), time.process_time()
    if mode == "bare":
        started, outcomes, measured = asyncio.run(bare_loop(items, options["concurrency"], options["warm"]))
    else:
        outcomes, measured = Counter(), []
        for i in range(0, len(items), options["batch"]):
            batch = items[i : i + options["batch"]]
            observations = engine.run_batch_sync(
                batch, concurrency=options["concurrency"], region=options["region"]
            )
            if mode == "engine+db":
                record(observations)
            outcomes.update(str(o.outcome) for o in observations)
            measured += [o.ttft_ms for o in observations]
    samples = [
        ms - injected for (_, injected), ms in zip(work, measured, strict=True) if None not in (ms, injected)
    ]
    results.put(
        {"started": started, "ended": time.time(), "cpu_s": time.process_time() - cpu, "outcomes": outcomes,
         "samples": samples}
    )  # fmt: skip


def fan_out(mode: str, work: list, processes: int, options: dict, fake_pids: list[int]) -> dict:
    """Split `work` over processes started together; the rate is all of it over the whole span."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    shares = [work[i::processes] for i in range(processes)]
    workers = [context.Process(target=child, args=(mode, s, options, barrier, results)) for s in shares]
    fake_before = sum(process_cpu_s(pid) for pid in fake_pids)
    for worker in workers:
        worker.start()
    reports = []
    while len(reports) < processes:
        try:
            reports.append(results.get(timeout=1))
        except queue.Empty:
            if any(worker.exitcode not in (None, 0) for worker in workers):
                raise RuntimeError(f"a {mode} process failed (its traceback is above)") from None
    for worker in workers:
        worker.join(30)
    span = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    return {
        "per_s": round(len(work) / span, 1),
        "cpu_ms_per_probe": round(1000 * sum(r["cpu_s"] for r in reports) / len(work), 3),
        "fake_cpu_ms_per_probe": round(
            1000 * (sum(process_cpu_s(pid) for pid in fake_pids) - fake_before) / len(work), 3
        ),
        "outcomes": dict(sum((r["outcomes"] for r in reports), Counter())),
        "samples": [s for r in reports for s in r["samples"]],
    }


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Service:
    """A Celery process in its own process group, logging to a file; ready once `marker` is logged."""

    def __init__(self, name: str, args: list[str], marker: str, workdir: Path) -> None:
        self.name, self.args, self.marker = name, args, marker
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "statuspage", *self.args],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.marker not in self.log_path.read_text(errors="replace"):
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} did not start:\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
