"""Detection bench: scripted outages against the fake fleet, through the real pipeline, on a compressed clock.

    python bench/detection.py [--interval 3] [--only hard,noisy] [--seed 7] [--min-intervals 200]
                              [--confirm-delays 5,10] [--confirm-cap 30] [--worst-phase] [--redis-db 13]

What runs is what production runs: Celery beat ticks the scheduler, one worker per region probes the
fake providers over HTTP with the real probes, results are recorded, confirmation probes are planned and
claimed, monitor state changes propagate to components, and incident automation opens, updates and
resolves incidents. Only the clock is compressed, by one factor for every duration: the production
interval of 60 s runs in `--interval` seconds, and so probe timeouts (30/20/10 s), the providers' scripted
latencies and the slow thresholds, the confirmation delays (`--confirm-delays`, production seconds) and
their budget window (a minute), the quiet period before resolving (10 minutes) all shrink alike.
Figures are reported in production-equivalent seconds (bench seconds times 60 / interval) and intervals.
(Only the scheduler tick keeps its 0.5 s floor, 10 production seconds: conservative.)

The worlds, all running at once on their own providers (faults start after every monitor is up; with
--worst-phase, just after a scheduled probe of the faulty monitor, a whole interval before the next;
the compressed clock also stretches the pipeline's own fraction of a second of latency 20x, so
worst-phase figures at --interval 3 carry several production seconds that production does not):
  hard      the provider stops answering (connection refused); its own status page admits it 6 intervals later
  brownout  first-token latency climbs 150 ms -> 2.6 s in steps; the fault starts when it crosses 1 s
  regional  30% of requests fail from one region (ap) of three; the quorum keeps the monitor up, the
            region is flagged on the page, and no incident opens (the designed answer)
  stall     one model's stream stalls after its first tokens, keep-alive comments still flowing
  noisy     healthy but noisy: 1% random 5xx, bursts of 429, single timeouts, one slow region;
            it runs for the whole bench (--min-intervals, default 200)

Prints per world the delay from fault start to incident published, from fault end to the component
operational and to the incident resolved, the count of false incidents, and the confirmation probes
sent (and the most any provider was sent in one budget window); writes bench/out/detection.json.
Exits 1 when a bar is missed: hard outage published within 1 interval + 10 s, brownout and stall
within 1.5 intervals, every real fault detected, zero false incidents, every provider's confirmations
within the cap. Uses DATABASE_URL/REDIS_URL when set (a separate `<db>_detection_bench` database,
Redis db 13), else embedded servers under var/, like `make run`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import (  # noqa: E402 - after the path is set
    API_KEY,
    PY,
    REGIONS,
    Children,
    bench_database,
    bench_redis,
    start_fleet,
    start_pipeline,
)

OUT = ROOT / "bench" / "out"
QUIET_INTERVALS = 10
PRODUCTION_INTERVAL_S = 60
# Monitor defaults (monitors/models.py) at the production interval, scaled with the clock.
PRODUCTION_TIMEOUTS_S = {"timeout_s": 30.0, "ttft_timeout_s": 20.0, "stall_timeout_s": 10.0}


@dataclass
class Step:
    at: float  # in intervals after the warm-up
    provider: str
    behaviour: dict
    # With --worst-phase, held until this monitor (its key in the world) has a scheduled result from after
    # `at`: the fault then starts just after a probe, a whole interval before the next one.
    after_probe_of: str = ""


@dataclass
class World:
    name: str
    expect_incident: bool
    targets: list[str]  # component names (in this world's group) the fault hits
    steps: list[Step]
    fault_at: float | None = None  # in intervals; None: no real fault
    heal_at: float | None = None
    flag_region: str = ""  # the region expected to be flagged (out-voted) instead of an incident
    notes: str = ""
    # filled in while running
    fault_t: float | None = None
    heal_t: float | None = None
    component_ids: dict[str, int] = field(default_factory=dict)
    monitor_ids: dict[str, int] = field(default_factory=dict)


FLEET = [
    ("hard-sim", "openai"),
    ("brown-sim", "anthropic"),
    ("regional-sim", "openai"),
    ("regional-sim-ap", "openai"),
    ("stall-sim-a", "deepseek"),
    ("stall-sim-b", "deepseek"),
    ("noisy-sim", "openai"),
    ("noisy-sim-ap", "openai"),
]


def worlds(noise_until: int = 40, scale: float = 1.0) -> list[World]:
    """The scripts in intervals; latencies are production milliseconds times `scale` (the clock's).

    Latencies below a slow threshold stay at least 500 ms (production) under it: the bench's own
    overhead adds up to ~30 ms to a TTFT on a loaded machine, 600 ms once the clock is compressed 20x.
    """
    noise = {"fault": "server_error", "error_rate": 0.01}
    ramp = [150, 300, 450, 1300, 1800, 2600]
    return [
        World(
            name="hard",
            expect_incident=True,
            targets=["Chat", "Models API"],
            steps=[
                Step(4, "hard-sim", {"fault": "refuse"}, after_probe_of="chat"),
                Step(10, "hard-sim", {"fault": "refuse", "upstream_status": "major_outage"}),
                Step(16, "hard-sim", {"upstream_status": "major_outage"}),
                Step(22, "hard-sim", {}),
            ],
            fault_at=4,
            heal_at=16,
        ),
        World(
            name="brownout",
            expect_incident=True,
            targets=["Chat"],
            steps=[
                Step(
                    4 + 2 * i,
                    "brown-sim",
                    {"ttft_ms": ms * scale},
                    after_probe_of="chat" if ms == 1300 else "",
                )
                for i, ms in enumerate(ramp)
            ]
            + [Step(20, "brown-sim", {})],
            fault_at=4 + 2 * ramp.index(1300),
            heal_at=20,
            notes="ramp starts 6 intervals before the 1 s threshold is crossed",
        ),
        World(
            name="regional",
            expect_incident=False,
            targets=["Chat"],
            steps=[
                Step(4, "regional-sim-ap", {"fault": "server_error", "error_rate": 0.3}),
                Step(44, "regional-sim-ap", {}),
            ],
            fault_at=4,
            heal_at=44,
            flag_region="ap",
        ),
        World(
            name="stall",
            expect_incident=True,
            targets=["deepseek-reasoner"],
            steps=[
                Step(6, "stall-sim-b", {"fault": "stall_keepalive"}, after_probe_of="deepseek-reasoner"),
                Step(16, "stall-sim-b", {}),
            ],
            fault_at=6,
            heal_at=16,
        ),
        World(
            name="noisy",
            expect_incident=False,
            targets=[],
            steps=[Step(0, "noisy-sim", noise), Step(0, "noisy-sim-ap", {**noise, "ttft_ms": 1500 * scale})]
            + [Step(t, "noisy-sim", {"fault": "rate_limited"}) for t in range(6, noise_until, 12)]
            + [Step(t + 2, "noisy-sim", noise) for t in range(6, noise_until, 12)]
            + [Step(t, "noisy-sim", {"fault": "hang"}) for t in range(12, noise_until, 24)]
            + [Step(t + 0.25, "noisy-sim", noise) for t in range(12, noise_until, 24)],
            notes="every 12 intervals a 2-interval burst of 429s, every 24 a 15 s hang "
            "(one timeout per region: shorter than a probe's TTFT timeout plus the first confirmation "
            "delay, as a hang of a whole interval is an outage that confirmation probes now confirm); "
            "1% 5xx throughout; region ap 1.5 s TTFT (threshold 1 s)",
        ),
    ]


def seed(all_worlds: list[World], control: str, interval: int) -> None:
    from monitors.models import Monitor, Provider
    from statuspage.components.models import Component, ComponentGroup

    scale = interval / PRODUCTION_INTERVAL_S
    timing = {"interval_s": interval, **{k: v * scale for k, v in PRODUCTION_TIMEOUTS_S.items()}}

    def provider(name: str, upstream: str = "") -> Provider:
        return Provider.objects.create(
            name=name,
            slug=name,
            base_url=f"http://{name}-sim.bench.test",
            api_key_env="BENCH_API_KEY",
            upstream_status_url=upstream,
        )

    def monitor(world: World, key: str, p: Provider, **fields) -> Monitor:
        m = Monitor.objects.create(provider=p, name=f"{world.name} {key}", **{**timing, **fields})
        world.monitor_ids[key] = m.pk
        return m

    def component(world: World, group: ComponentGroup, name: str, monitors: list[Monitor]) -> None:
        c = Component.objects.create(name=name, group=group, position=len(world.component_ids) + 1)
        c.monitors.set(monitors)
        world.component_ids[name] = c.pk

    for position, world in enumerate(all_worlds, start=1):
        group = ComponentGroup.objects.create(name=world.name, position=position)
        if world.name == "hard":
            upstream = f"{control}/upstream/hard-sim/api/v2/summary.json"
            p = provider("hard", upstream)
            chat = monitor(
                world, "chat", p, kind="openai", url="http://hard-sim.bench.test/v1", model="gpt-4o-mini"
            )
            models = monitor(
                world,
                "models",
                p,
                kind="models",
                url="http://hard-sim.bench.test/v1",
                stream=False,
                options={"flavour": "openai"},
            )
            monitor(world, "upstream", p, kind="upstream", url=upstream, stream=False)
            component(world, group, "Chat", [chat])
            component(world, group, "Models API", [models])
        elif world.name == "brownout":
            p = provider("brown")
            chat = monitor(
                world,
                "chat",
                p,
                kind="anthropic",
                url="http://brown-sim.bench.test",
                model="claude-3-5-haiku-latest",
                slow_ttft_ms=1000 * scale,
            )
            component(world, group, "Chat", [chat])
        elif world.name == "regional":
            p = provider("regional")
            chat = monitor(
                world,
                "chat",
                p,
                kind="openai",
                url="http://regional-sim.bench.test/v1",
                model="gpt-4o-mini",
                regions=list(REGIONS),
            )
            component(world, group, "Chat", [chat])
        elif world.name == "stall":
            p = provider("stall")
            for key, model in (("a", "deepseek-chat"), ("b", "deepseek-reasoner")):
                m = monitor(
                    world, model, p, kind="openai", url=f"http://stall-sim-{key}.bench.test/v1", model=model
                )
                component(world, group, model, [m])
        elif world.name == "noisy":
            p = provider("noisy")
            chat = monitor(
                world,
                "chat",
                p,
                kind="openai",
                url="http://noisy-sim.bench.test/v1",
                model="gpt-4o-mini",
                regions=list(REGIONS),
                slow_ttft_ms=1000 * scale,
            )
            models = monitor(
                world,
                "models",
                p,
                kind="models",
                url="http://noisy-sim.bench.test/v1",
                stream=False,
                options={"flavour": "openai"},
            )
            component(world, group, "Chat", [chat])
            component(world, group, "Models API", [models])


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Seen:
    """What a reader could see, polled every 50 ms: first times things appeared."""

    published: dict[int, float] = field(default_factory=dict)  # incident id -> first seen published
    created: dict[int, float] = field(default_factory=dict)
    resolved: dict[int, float] = field(default_factory=dict)
    components: dict[int, list[tuple[float, str]]] = field(default_factory=dict)  # status timeline
    incident_components: dict[int, set[int]] = field(default_factory=dict)
    impact: dict[int, str] = field(default_factory=dict)  # at first publication
    updates: dict[int, int] = field(default_factory=dict)
    detection: dict[int, dict] = field(default_factory=dict)
    region_flags: list[tuple[float, int, str, str]] = field(
        default_factory=list
    )  # t, monitor, region, status
    _flag_ids: set[int] = field(default_factory=set)

    def poll(self, t: float) -> None:
        from monitors.models import StateChange
        from statuspage.components.models import Component
        from statuspage.incidents.models import Incident

        for pk, status in Component.objects.values_list("pk", "status"):
            timeline = self.components.setdefault(pk, [])
            if not timeline or timeline[-1][1] != status:
                timeline.append((t, status))
        incidents = Incident.objects.filter(kind="incident").prefetch_related("components", "updates")
        for incident in incidents:
            self.created.setdefault(incident.pk, t)
            self.incident_components[incident.pk] = {c.pk for c in incident.components.all()}
            self.detection[incident.pk] = incident.detection
            self.updates[incident.pk] = len(incident.updates.all())
            if incident.published and incident.pk not in self.published:
                self.published[incident.pk] = t
                self.impact[incident.pk] = incident.impact
            if incident.status == "resolved":
                self.resolved.setdefault(incident.pk, t)
        for change in StateChange.objects.exclude(region="").exclude(pk__in=self._flag_ids):
            self._flag_ids.add(change.pk)
            self.region_flags.append((t, change.monitor_id, change.region, change.new_status))


def wait_until_up(all_worlds: list[World], children: Children, timeout: float) -> float:
    from monitors.models import Monitor

    ids = [pk for w in all_worlds for pk in w.monitor_ids.values()]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        children.check()
        statuses = list(Monitor.objects.filter(pk__in=ids).values_list("name", "status"))
        if all(s == "up" for _, s in statuses):
            return time.monotonic() - start
        time.sleep(0.2)
    raise SystemExit(f"bench: monitors not up after {timeout:.0f}s: {[n for n, s in statuses if s != 'up']}")


def run(
    all_worlds: list[World],
    control: str,
    interval: float,
    children: Children,
    min_intervals: int,
    worst_phase: bool,
) -> Seen:
    import httpx

    steps = sorted(((s.at, w, s) for w in all_worlds for s in w.steps), key=lambda x: x[0])
    ends = [w.heal_at for w in all_worlds if w.heal_at is not None] + [s.at for _, _, s in steps]
    end = max(max(ends) + 3 + QUIET_INTERVALS + 4, min_intervals)
    seen = Seen()
    t0, wall0 = time.monotonic(), datetime.now(UTC)
    with httpx.Client(base_url=control, timeout=5) as client:
        while (now := time.monotonic() - t0) < end * interval:
            for item in [item for item in steps if item[0] * interval <= now]:
                at, world, step = item
                since = wall0 + timedelta(seconds=at * interval)
                held = worst_phase and step.after_probe_of
                if held and not _probed_since(world.monitor_ids[step.after_probe_of], since):
                    continue
                steps.remove(item)
                client.put(f"/providers/{step.provider}", json=step.behaviour).raise_for_status()
                if world.fault_at == at and world.fault_t is None:
                    world.fault_t = time.monotonic() - t0
                if world.heal_at == at and world.heal_t is None:
                    world.heal_t = time.monotonic() - t0
            seen.poll(time.monotonic() - t0)
            children.check()
            time.sleep(0.05)  # a second of production time at the default 20x
    return seen


def _probed_since(monitor_id: int, since: datetime) -> bool:
    from monitors.models import ProbeResult

    scheduled = ProbeResult.objects.filter(monitor_id=monitor_id, started_at__gt=since)
    return scheduled.exclude(details__has_key="confirmation").exists()


def outcomes(world: World) -> dict[str, int]:
    """What the probes of this world actually met, so the report shows the noise really happened."""
    from django.db.models import Count

    from monitors.models import ProbeResult

    rows = (
        ProbeResult.objects.filter(monitor_id__in=world.monitor_ids.values())
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    return dict(sorted(rows, key=lambda r: -r[1]))


def confirmations(world: World, window_s: float) -> dict:
    """Confirmation probes this world's monitors were sent, against their scheduled probes, and the most
    sent to its provider in any budget window (bench seconds)."""
    from monitors.models import Monitor, ProbeResult

    ids = list(world.monitor_ids.values())
    stamps = sorted(
        r.timestamp()
        for r in ProbeResult.objects.filter(monitor_id__in=ids, details__confirmation=True).values_list(
            "started_at", flat=True
        )
    )
    scheduled = ProbeResult.objects.filter(monitor_id__in=ids).count() - len(stamps)
    most, start = 0, 0
    for end, t in enumerate(stamps):  # a sliding window over the start times
        while t - stamps[start] >= window_s:
            start += 1
        most = max(most, end - start + 1)
    counted = sum(Monitor.objects.filter(pk__in=ids).values_list("confirmation_probes", flat=True))
    return {
        "confirmations": len(stamps),
        "confirmations_counted": counted,  # Monitor.confirmation_probes, the running total
        "scheduled_probes": scheduled,
        "extra_requests_pct": round(100 * len(stamps) / scheduled, 1) if scheduled else None,
        "max_confirmations_per_window": most,
    }


def measure(world: World, seen: Seen, interval: float, window_s: float) -> dict:
    mine = set(world.component_ids.values())
    targets = {world.component_ids[n] for n in world.targets}
    incidents = [i for i, comps in seen.incident_components.items() if comps & mine]
    factor = PRODUCTION_INTERVAL_S / interval  # bench seconds to production seconds
    row: dict = {
        "world": world.name, "interval_s": interval, "notes": world.notes, "probes": outcomes(world),
        **confirmations(world, window_s),
    }  # fmt: skip
    if world.expect_incident:
        real = [i for i in incidents if seen.incident_components[i] & targets and i in seen.published]
        real = [i for i in real if seen.published[i] >= world.fault_t - interval]
        first = min(real, key=seen.published.__getitem__) if real else None
        row["detected"] = first is not None
        row["false_incidents"] = len(incidents) - (1 if first else 0)
        if first is not None:
            delay = seen.published[first] - world.fault_t
            row.update(
                publish_s=round(delay * factor, 1),
                publish_intervals=round(delay / interval, 2),
                publish_bench_s=round(delay, 2),
                impact=seen.impact[first],
                updates=seen.updates[first],
                upstream_lead_s=seen.detection[first].get("lead_s"),
            )
            if first in seen.resolved:
                row["resolved_after_heal_s"] = round((seen.resolved[first] - world.heal_t) * factor, 1)
        recovered = _recovered(seen, targets, world.heal_t)
        row["recovered_after_heal_s"] = None if recovered is None else round(recovered * factor, 1)
    else:
        row["false_incidents"] = len(incidents)
        row["detected"] = None if not world.flag_region else False
    if world.flag_region:
        monitor = world.monitor_ids["chat"]
        flags = [(t, s) for t, m, r, s in seen.region_flags if m == monitor and r == world.flag_region]
        flagged = [t for t, s in flags if s in ("degraded", "down") and t >= world.fault_t]
        cleared = [t for t, s in flags if s == "up" and world.heal_t and t >= world.heal_t]
        row["detected"] = bool(flagged)
        if flagged:
            row["region_flagged_s"] = round((flagged[0] - world.fault_t) * factor, 1)
            row["region_flagged_intervals"] = round((flagged[0] - world.fault_t) / interval, 2)
        if cleared:
            row["region_cleared_after_heal_s"] = round((cleared[0] - world.heal_t) * factor, 1)
    if world.name == "noisy":
        monitor = world.monitor_ids["chat"]
        row["slow_region_flagged"] = sorted(
            {r for _, m, r, s in seen.region_flags if m == monitor and s != "up"}
        )
    return row


def _recovered(seen: Seen, targets: set[int], heal_t: float) -> float | None:
    """First time after the heal when every target component is operational."""
    times = []
    for pk in targets:
        after = [t for t, s in seen.components.get(pk, []) if t >= heal_t and s == "operational"]
        if not after:
            return None
        times.append(after[0])
    return max(times) - heal_t


def report(rows: list[dict], interval: float, cap: int) -> list[str]:
    hard_bar, bar = PRODUCTION_INTERVAL_S + 10, 1.5 * PRODUCTION_INTERVAL_S
    print(
        f"\nDetection bench: a {PRODUCTION_INTERVAL_S} s probe interval run in {interval:g} s, every "
        f"duration "
        f"scaled alike; times in production-equivalent seconds and intervals; quiet period "
        f"{QUIET_INTERVALS} intervals; confirmation cap {cap} per provider a minute\n"
    )
    header = (
        f"{'world':<10}{'detected':>9}{'published':>16}{'impact':>10}{'updates':>9}{'recovered':>11}"
        f"{'resolved':>10}{'false':>7}{'confirms':>10}{'max/min':>9}{'extra':>7}"
    )
    print(header + "   (published: after fault start; recovered, resolved: after fault end)")
    for r in rows:
        published = f"{r['publish_s']:.0f}s {r['publish_intervals']:.2f}i" if "publish_s" in r else "-"
        if "region_flagged_s" in r:
            published = f"flag {r['region_flagged_s']:.0f}s"
        rec = f"{r['recovered_after_heal_s']:.0f}s" if r.get("recovered_after_heal_s") is not None else "-"
        res = f"{r['resolved_after_heal_s']:.0f}s" if "resolved_after_heal_s" in r else "-"
        detected = {True: "yes", False: "NO", None: "n/a"}[r["detected"]]
        impact, updates = r.get("impact", "-"), r.get("updates", "-")
        extra = f"{r['extra_requests_pct']:.0f}%" if r["extra_requests_pct"] is not None else "-"
        print(
            f"{r['world']:<10}{detected:>9}{published:>16}{impact:>10}{updates:>9}"
            f"{rec:>11}{res:>10}{r['false_incidents']:>7}{r['confirmations']:>10}"
            f"{r['max_confirmations_per_window']:>9}{extra:>7}"
        )
    for r in rows:
        extra = {
            k: v
            for k, v in r.items()
            if k in ("upstream_lead_s", "region_cleared_after_heal_s", "slow_region_flagged", "probes")
        }
        if extra or r["notes"]:
            print(f"  {r['world']}: {json.dumps(extra) if extra else ''} {r['notes']}".rstrip())
    failures = []
    for r in rows:
        if r["detected"] is False:
            failures.append(f"{r['world']}: fault not detected")
        if r["false_incidents"]:
            failures.append(f"{r['world']}: {r['false_incidents']} false incident(s)")
        limit = {"hard": hard_bar, "brownout": bar, "stall": bar}.get(r["world"])
        if limit is not None and r.get("publish_s", limit + 1) > limit:
            failures.append(f"{r['world']}: published after {r.get('publish_s')}s, bar {limit:g}s")
        if r["max_confirmations_per_window"] > cap:
            failures.append(
                f"{r['world']}: {r['max_confirmations_per_window']} confirmations in a minute, cap {cap}"
            )
    print("\n" + ("all bars met" if not failures else "MISSED: " + "; ".join(failures)))
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--interval",
        type=int,
        default=3,
        help="bench seconds that stand for a 60 s probe interval (default 3)",
    )
    parser.add_argument("--only", default="", help="comma-separated worlds to run (default: all)")
    parser.add_argument("--seed", type=int, default=7, help="seed for the fake providers' error draws")
    parser.add_argument(
        "--min-intervals", type=int, default=200, help="run at least this long (the noisy world keeps going)"
    )
    parser.add_argument(
        "--confirm-delays", default="5,10", help="confirmation delays, production seconds (default 5,10)"
    )
    parser.add_argument(
        "--confirm-cap", type=int, default=30, help="confirmations per provider a minute; 0 turns them off"
    )
    parser.add_argument(
        "--worst-phase", action="store_true", help="start each fault just after a probe of its monitor"
    )
    parser.add_argument(
        "--redis-db", type=int, default=13, help="Redis database the bench flushes and uses (default 13)"
    )
    args = parser.parse_args()
    scale = args.interval / PRODUCTION_INTERVAL_S
    noise_until = max(40, args.min_intervals - 4)
    chosen = [w for w in worlds(noise_until, scale) if not args.only or w.name in args.only.split(",")]
    window_s = PRODUCTION_INTERVAL_S * scale  # the budget's minute, on the bench's clock
    delays = ",".join(f"{float(d) * scale:g}" for d in args.confirm_delays.split(","))
    from statuspage.run.__main__ import data_services

    OUT.mkdir(parents=True, exist_ok=True)
    logs = OUT / "detection-logs"
    logs.mkdir(exist_ok=True)
    env = dict(os.environ)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        data_services(stack, env)
        env.update(
            DATABASE_URL=bench_database(env["DATABASE_URL"]),
            REDIS_URL=bench_redis(env["REDIS_URL"], args.redis_db),
            STATUSPAGE_ENV="development",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
            SCHEDULER_TICK_SECONDS="0.5",
            STATUS_SWEEP_SECONDS="0.5",
            INCIDENT_QUIET_PERIOD_S=str(QUIET_INTERVALS * args.interval),
            CONFIRM_DELAYS_S=delays,
            CONFIRM_PROVIDER_CAP=str(args.confirm_cap),
            CONFIRM_WINDOW_S=f"{window_s:g}",
            INCIDENT_REVIEW_MINOR="false",
            BENCH_API_KEY=API_KEY,
            PROBE_REGION="default",
        )
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        children = Children(logs)
        stack.callback(children.stop)
        control, ports = start_fleet(children, env, Path(tmp), args.seed, FLEET)
        hosts: dict[str, dict[str, int]] = {}
        for name, port in ports.items():
            base, _, region = name.partition("-sim-")
            host = f"{base}-sim.bench.test" if region in REGIONS else f"{name}.bench.test"
            hosts.setdefault(host, {})["*" if region not in REGIONS else region] = port
        env["BENCH_HOSTS"] = json.dumps(hosts)
        os.environ.update(env)
        import django

        django.setup()
        seed(chosen, control, args.interval)
        start_pipeline(children, env, Path(tmp))
        warm = wait_until_up(chosen, children, timeout=20 * args.interval)
        print(f"pipeline up: every monitor up {warm:.1f}s after start; running the worlds...", flush=True)
        seen = run(chosen, control, args.interval, children, args.min_intervals, args.worst_phase)
        rows = [measure(w, seen, args.interval, window_s) for w in chosen]
    failures = report(rows, args.interval, args.confirm_cap)
    figures = {
        "interval_s": args.interval, "production_interval_s": PRODUCTION_INTERVAL_S,
        "confirm_delays_s": args.confirm_delays, "confirm_cap": args.confirm_cap,
        "worst_phase": args.worst_phase,
        "bars_met": not failures, "worlds": rows,
    }  # fmt: skip
    (OUT / "detection.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, separators=(",", ":"), default=str))  # the figures, last, on one line
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
