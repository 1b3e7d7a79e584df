"""The README commands: `python -m statuspage.run serve` runs the product, `... test` runs the suite.

Without DATABASE_URL / REDIS_URL it starts a real Postgres and Redis embedded (data under var/), and
stops them when the product or the tests stop; with them set, it uses those servers. Without SMTP
settings, `serve` also starts a local mail catcher (mailcatcher.py) so the emails it sends can be read.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from monitors.fakeprovider.fleet import demo_fleet
from statuspage.lib.env import ConfigError
from statuspage.run.embedded import (
    EmbeddedError,
    EmbeddedPostgres,
    EmbeddedRedis,
    EmbeddedServer,
    Supervisor,
    port_in_use,
)

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
PYTHON = sys.executable
RESPAWN = f"{PYTHON} -m statuspage.run.respawn --"
# Any of these set means the operator has an SMTP server in mind: no mail catcher then.
SMTP_SETTINGS = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")


def port_setting(env: dict[str, str], name: str, default: int) -> int:
    """A port from env: junk is one clear line (main prints it), not a traceback."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65_536:
        raise EmbeddedError(f"{name}={raw!r} is not a port number (1 to 65535)")
    return int(raw)


def data_services(stack: ExitStack, env: dict[str, str]) -> list[EmbeddedServer]:
    """Point env at the configured servers, starting embedded ones for what is not configured."""
    started: list[EmbeddedServer] = []
    if not env.get("DATABASE_URL"):
        pg = EmbeddedPostgres(VAR / "postgres", port_setting(env, "EMBEDDED_POSTGRES_PORT", 54329))
        stack.callback(pg.stop)
        env["DATABASE_URL"] = pg.start()
        started.append(pg)
        print(f"embedded Postgres: {env['DATABASE_URL']} (data in {pg.data_root})", flush=True)
    if not env.get("REDIS_URL"):
        redis = EmbeddedRedis(VAR / "redis", port_setting(env, "EMBEDDED_REDIS_PORT", 63799))
        stack.callback(redis.stop)
        env["REDIS_URL"] = redis.start()
        started.append(redis)
        print(f"embedded Redis: {env['REDIS_URL']} (data in var/redis)", flush=True)
    return started


def prepare(env: dict[str, str], fleet_base_port: int) -> None:
    """Migrate, collect static files and seed the demo in this process (one Django start, not three)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
    import django
    from django.core.management import call_command
    from django.db import connections

    try:
        django.setup()
    except ConfigError as exc:
        sys.exit(f"statuspage: configuration error: {exc}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed(fleet_base_port)
    connections.close_all()


def seed(fleet_base_port: int) -> None:
    """The file STATUSPAGE_CONFIG names, applied; without one, the demo providers on the fleet."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError

    config = settings.STATUSPAGE_CONFIG
    if config:  # the operator's own monitors instead of the demo's
        try:
            call_command("apply", config)
        except CommandError as exc:
            sys.exit(f"statuspage: STATUSPAGE_CONFIG: {exc}")
    call_command("seed_demo", fleet_base_port=fleet_base_port, providers=not config)


def mail_catcher(env: dict[str, str]) -> str | None:
    """With no SMTP settings, the command of a local mail catcher, and env pointed at it."""
    if any(env.get(name, "").strip() for name in SMTP_SETTINGS):
        return None
    port = port_setting(env, "MAIL_CATCHER_PORT", 1025)
    if port_in_use(port):
        raise EmbeddedError(
            f"port {port} for the local mail catcher is taken; stop what uses it, set MAIL_CATCHER_PORT "
            f"to a free port, or set EMAIL_PORT={port} to send mail to what listens there"
        )
    env["EMAIL_HOST"], env["EMAIL_PORT"] = "127.0.0.1", str(port)
    return f"{PYTHON} -m statuspage.run.mailcatcher --port {port} --directory {VAR / 'mail'}"


def fleet_command(env: dict[str, str], control_port: int) -> str:
    """The demo fleet with its scripted outage, its providers on the ports after the control port:
    where seed_demo points the demo monitors, whatever DEMO_FLEET_PORT is."""
    providers = ",".join(
        f"{spec.name}:{spec.kind}:{control_port + offset}" for offset, spec in enumerate(demo_fleet(), 1)
    )
    # The key goes in the environment: on the command line, `ps` would show it to every local user.
    env["FAKEPROVIDER_API_KEY"] = env["DEMO_FLEET_API_KEY"]
    return (
        f"{PYTHON} -m monitors.fakeprovider --demo-scenario --control-port {control_port} "
        f"--providers {providers}"
    )


def processes(env: dict[str, str], port: int, fleet_port: int) -> dict[str, str]:
    """The Procfile of `make run`: name -> command."""
    found = {
        "web": f"{PYTHON} -m granian --interface wsgi --host 127.0.0.1 --port {port} --workers 1 "
        "--blocking-threads 8 --no-ws statuspage.wsgi:application",
        # Restarted if they exit on their own: honcho would otherwise stop everything with them.
        "worker": f"{RESPAWN} {PYTHON} -m celery -A statuspage worker -Q default,probes.default "
        "--concurrency 2 --loglevel INFO --without-gossip --without-mingle",
        # Deliveries on their own queue and processes: a slow receiver never holds a probe batch back.
        "deliveries": f"{RESPAWN} {PYTHON} -m celery -A statuspage worker -Q deliveries --concurrency 2 "
        "--loglevel INFO --without-gossip --without-mingle --hostname deliveries@%h",
        "beat": f"{RESPAWN} {PYTHON} -m celery -A statuspage beat --loglevel INFO "
        f"--schedule {VAR / 'celerybeat-schedule'}",
        "fleet": fleet_command(env, fleet_port),
    }
    catcher = mail_catcher(env)
    if catcher is not None:
        found["mail"] = catcher
    return found


def banner(port: int, *, mail_caught: bool) -> str:
    lines = [f"statuspage is starting at http://127.0.0.1:{port}/  (Ctrl-C stops everything)"]
    if mail_caught:
        lines.append("mail is caught locally: the `mail` lines below show each message and its links,")
        lines.append(f"and the messages are kept in {VAR / 'mail'}/")
    return "\n" + "".join(f"  {line}\n" for line in lines)


def serve_defaults(env: dict[str, str]) -> tuple[int, int]:
    """Fill in what `make run` needs and was not given; the web and fleet control ports."""
    env.setdefault("STATUSPAGE_ENV", "development")
    env.setdefault("PYTHONUNBUFFERED", "1")
    port = port_setting(env, "PORT", 8000)
    # Links in emails and the admin login line point at this server, on whatever PORT it listens.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    env.setdefault("DEMO_FLEET_API_KEY", "sk-fake")  # the simulated fleet's key, named by the demo providers
    return port, port_setting(env, "DEMO_FLEET_PORT", 9100)


def serve(env: dict[str, str]) -> int:
    from honcho.manager import Manager
    from honcho.printer import Printer

    port, fleet_port = serve_defaults(env)
    with ExitStack() as stack:
        embedded = data_services(stack, env)
        if embedded:  # restarted if they die; the watch ends before the stack stops them (Ctrl-C)
            supervisor = Supervisor(embedded)
            supervisor.start()
            stack.callback(supervisor.stop)
        # Before `prepare`, which reads the settings: the catcher sets EMAIL_HOST and EMAIL_PORT.
        procfile = processes(env, port, fleet_port)
        prepare(env, fleet_base_port=fleet_port + 1)
        manager = Manager(Printer(sys.stdout))
        for name, command in procfile.items():
            manager.add_process(name, command, env=env, cwd=str(ROOT))
        print(banner(port, mail_caught="mail" in procfile), flush=True)
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
