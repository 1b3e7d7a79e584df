"""The README commands: `python -m statuspage.run serve` runs the product, `... test` runs the suite.

Without DATABASE_URL / REDIS_URL it starts a real Postgres and Redis embedded (data under var/), and
stops them when the product or the tests stop; with them set, it uses those servers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from statuspage.run.embedded import EmbeddedError, EmbeddedPostgres, EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
PYTHON = sys.executable


def data_services(stack: ExitStack, env: dict[str, str]) -> None:
    """Point env at the configured servers, starting embedded ones for what is not configured."""
    if not env.get("DATABASE_URL"):
        pg = EmbeddedPostgres(VAR / "postgres", int(env.get("EMBEDDED_POSTGRES_PORT", "54329")))
        stack.callback(pg.stop)
        env["DATABASE_URL"] = pg.start()
        print(f"embedded Postgres: {env['DATABASE_URL']} (data in var/postgres)", flush=True)
    if not env.get("REDIS_URL"):
        redis = EmbeddedRedis(VAR / "redis", int(env.get("EMBEDDED_REDIS_PORT", "63799")))
        stack.callback(redis.stop)
        env["REDIS_URL"] = redis.start()
        print(f"embedded Redis: {env['REDIS_URL']} (data in var/redis)", flush=True)


def prepare(env: dict[str, str], fleet_base_port: int) -> None:
    """Migrate, collect static files and seed the demo in this process (one Django start, not three)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
    import django
    from django.core.management import call_command
    from django.db import connections

    from statuspage.lib.env import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        sys.exit(f"statuspage: configuration error: {exc}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", fleet_base_port=fleet_base_port)
    connections.close_all()


def serve(env: dict[str, str]) -> int:
    from honcho.manager import Manager
    from honcho.printer import Printer

    env.setdefault("STATUSPAGE_ENV", "development")
    env.setdefault("PYTHONUNBUFFERED", "1")
    port = env.get("PORT", "8000")
    fleet_port = env.get("DEMO_FLEET_PORT", "9100")
    env.setdefault("DEMO_FLEET_API_KEY", "sk-fake")  # the simulated fleet's key, named by the demo providers
    with ExitStack() as stack:
        data_services(stack, env)
        prepare(env, fleet_base_port=int(fleet_port) + 1)
        processes = {
            "web": f"{PYTHON} -m granian --interface wsgi --host 127.0.0.1 --port {port} --workers 1 "
            "--blocking-threads 8 --no-ws statuspage.wsgi:application",
            "worker": f"{PYTHON} -m celery -A statuspage worker -Q default,probes.default "
            "--concurrency 2 --loglevel INFO --without-gossip --without-mingle",
            "beat": f"{PYTHON} -m celery -A statuspage beat --loglevel INFO "
            f"--schedule {VAR / 'celerybeat-schedule'}",
            "fleet": f"{PYTHON} -m monitors.fakeprovider --demo --demo-scenario --control-port {fleet_port}",
        }
        manager = Manager(Printer(sys.stdout))
        for name, command in processes.items():
            manager.add_process(name, command, env=env, cwd=str(ROOT))
        print(
            f"\n  statuspage is starting at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n", flush=True
        )
        manager.loop()
        # Ctrl-C is how a newcomer stops it: a clean stop, not an error.
        return 0 if manager.returncode in (None, 130) else manager.returncode


def test(env: dict[str, str], pytest_args: list[str]) -> int:
    env.setdefault("STATUSPAGE_ENV", "test")
    with ExitStack() as stack:
        data_services(stack, env)
        return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m statuspage.run", description=__doc__)
    parser.add_argument("command", choices=("serve", "test"))
    parser.add_argument("args", nargs=argparse.REMAINDER, help="extra arguments (for test: passed to pytest)")
    options = parser.parse_args()
    env = dict(os.environ)
    try:
        code = serve(env) if options.command == "serve" else test(env, options.args)
    except EmbeddedError as exc:
        sys.exit(f"statuspage: {exc}")
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
