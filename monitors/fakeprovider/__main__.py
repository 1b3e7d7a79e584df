"""Run a fake provider fleet until SIGINT/SIGTERM (or until stdin closes, when asked)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from pathlib import Path

from monitors.fakeprovider import scenario, timing
from monitors.fakeprovider.fleet import DEMO_CONTROL_PORT, Fleet, demo_fleet, load_fleet_file, parse_specs
from monitors.fakeprovider.provider import DEFAULT_API_KEY, ProviderSpec


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="fakeprovider: %(message)s", stream=sys.stderr)
    try:
        specs = _specs(args)
        timings = scenario.Timings(args.scenario_start_s, args.scenario_period_s, args.scenario_duration_s)
    except (OSError, ValueError) as exc:
        print(f"fakeprovider: {exc}", file=sys.stderr)
        return 2
    if args.demo_scenario and args.scenario_provider not in {spec.name for spec in specs}:
        print(f"fakeprovider: no provider {args.scenario_provider!r} for the demo scenario", file=sys.stderr)
        return 2
    fleet = Fleet(specs, args.host, args.control_port, args.seed, args.beat_s)
    with asyncio.Runner(loop_factory=timing.new_event_loop) as runner:
        return runner.run(_serve(fleet, args, timings))


async def _serve(fleet: Fleet, args: argparse.Namespace, timings: scenario.Timings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await fleet.start()
    except OSError as exc:
        print(f"fakeprovider: cannot listen: {exc}", file=sys.stderr)
        await fleet.close()
        return 1
    for provider in fleet.providers.values():
        print(f"fakeprovider {provider.name} ({provider.spec.kind}) listening on {provider.url}")
    print(f"fakeprovider control listening on {fleet.control_url}", flush=True)
    # Everything made so far lives as long as the process: out of the collector's sight, a full
    # collection scans only what requests leave behind, and stalls the replies' timers that much less.
    gc.freeze()
    tasks = []
    if args.demo_scenario:
        tasks.append(asyncio.create_task(scenario.run(fleet.providers[args.scenario_provider], timings)))
    if args.exit_on_stdin_eof:
        tasks.append(asyncio.create_task(_until_stdin_closes(stop)))
    await stop.wait()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await fleet.close()
    return 0


async def _until_stdin_closes(stop: asyncio.Event) -> None:
    """The parent holds our stdin; if it dies without stopping us, EOF arrives and we exit too."""
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    while await reader.read(4096):
        pass
    stop.set()


def _specs(args: argparse.Namespace) -> list[ProviderSpec]:
    if args.fleet:
        return load_fleet_file(Path(args.fleet), args.api_key)
    if args.providers:
        return parse_specs(args.providers, args.api_key)
    return [ProviderSpec(s.name, s.kind, s.port, args.api_key) for s in demo_fleet()]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"fakeprovider: {name} must be a number of seconds, got {raw!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m monitors.fakeprovider", description=__doc__)
    fleet = parser.add_mutually_exclusive_group()
    fleet.add_argument(
        "--providers", help="name:kind:port[:api_key],... (kinds: openai, deepseek, anthropic, gemini)"
    )
    fleet.add_argument("--fleet", help="JSON or TOML file with a `providers` list; default: the demo fleet")
    parser.add_argument("--control-port", type=int, default=DEMO_CONTROL_PORT, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("FAKEPROVIDER_API_KEY", DEFAULT_API_KEY),
        help="valid key for providers that name none (env FAKEPROVIDER_API_KEY, which `ps` does not show)",
    )
    parser.add_argument("--seed", type=int, help="seed every provider's error_rate draws")
    parser.add_argument(
        "--beat-s", type=float, default=1.0, help="seconds between keep-alives and between slowloris bytes"
    )
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes")
    parser.add_argument(
        "--demo-scenario", action="store_true", help="loop a scripted outage (see scenario.py)"
    )
    parser.add_argument(
        "--scenario-provider", default=os.environ.get("FAKEPROVIDER_SCENARIO_PROVIDER", "deepseek-sim")
    )
    for name, default in (("start", 120.0), ("period", 900.0), ("duration", 180.0)):
        env = f"FAKEPROVIDER_SCENARIO_{name.upper()}_S"
        parser.add_argument(
            f"--scenario-{name}-s", type=float, default=_env_float(env, default), help=f"seconds (env {env})"
        )
    return parser


if __name__ == "__main__":
    sys.exit(main())
