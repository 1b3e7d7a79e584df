"""A region worker on another machine: deploy/region-worker's configuration alone, TLS and passwords to
Redis and Postgres (certificates made here), probes its region's queue and records in the centre."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from tests.fakefleet import FakeFleet
from tests.processes import stop, wait_for

yaml = pytest.importorskip("yaml")
trustme = pytest.importorskip("trustme")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "region-worker" / "docker-compose.yml"
REGION = "eu"
FLEET_KEY = "sk-region"
PASSWORD = "region-secret-password"
REDIS_SERVER = shutil.which("redis-server")
POSTGRES_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (with TLS) on PATH"),
    pytest.mark.skipif(POSTGRES_BIN is None, reason="needs PostgreSQL's server binaries"),
]


@dataclass
class Certificates:
    ca: Path
    chain: Path
    key: Path


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """Reachable by Postgres's unprivileged user (pytest's own temporary root is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="region-worker-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def certificates(scratch: Path) -> Certificates:
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    made = Certificates(scratch / "ca.pem", scratch / "server.pem", scratch / "server.key")
    ca.cert_pem.write_to_path(str(made.ca))
    server.cert_chain_pems[0].write_to_path(str(made.chain))
    server.private_key_pem.write_to_path(str(made.key))
    made.key.chmod(0o600)
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls_redis(scratch: Path, certificates: Certificates) -> Iterator[str]:
    """Redis that speaks only TLS and wants a password."""
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", certificates.chain, "--tls-key-file", certificates.key,
         "--tls-ca-cert-file", certificates.ca, "--tls-auth-clients", "no", "--requirepass", PASSWORD,
         "--save", "", "--appendonly", "no", "--dir", scratch],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"rediss://:{PASSWORD}@127.0.0.1:{port}/0?ssl_cert_reqs=required&ssl_ca_certs={certificates.ca}"

    def answers() -> bool:
        try:
            return redis.Redis.from_url(url).ping()
        except redis.ConnectionError:
            return False

    wait_for(answers, "the TLS Redis to answer", timeout=20)
    yield url
    stop(server, grace_s=5)


@pytest.fixture(scope="module")
def tls_postgres(scratch: Path, certificates: Certificates) -> Iterator[str]:
    """A Postgres cluster of its own that accepts only TLS connections with a password."""
    data, port = scratch / "pgdata", free_port()
    as_user: dict = {}
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        user = pwd.getpwnam("postgres")
        as_user = {"user": user.pw_uid, "group": user.pw_gid}
        os.chown(certificates.key, user.pw_uid, user.pw_gid)
        os.chown(scratch, user.pw_uid, user.pw_gid)
    password_file = scratch / "password"
    password_file.write_text(PASSWORD)
    password_file.chmod(0o644)
    subprocess.run(
        [POSTGRES_BIN / "initdb", "-D", data, "-U", "postgres", "-A", "scram-sha-256",
         "--pwfile", password_file, "-E", "UTF8"],
        check=True, capture_output=True, **as_user,
    )  # fmt: skip
    (data / "pg_hba.conf").write_text("hostssl all all 127.0.0.1/32 scram-sha-256\n")
    server = subprocess.Popen(
        [POSTGRES_BIN / "postgres", "-D", data, "-p", str(port), "-h", "127.0.0.1", "-k", scratch,
         "-c", "ssl=on", "-c", f"ssl_cert_file={certificates.chain}",
         "-c", f"ssl_key_file={certificates.key}"],
        stdout=subprocess.DEVNULL, stderr=(scratch / "postgres.log").open("wb"), **as_user,
    )  # fmt: skip
    admin = f"host=127.0.0.1 port={port} user=postgres password={PASSWORD} dbname=postgres "
    admin += f"sslmode=verify-full sslrootcert={certificates.ca}"

    def answers() -> bool:
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("CREATE DATABASE statuspage")
            return True
        except psycopg.OperationalError:
            return False

    wait_for(answers, "the TLS Postgres to accept connections", timeout=30)
    yield (
        f"postgres://postgres:{PASSWORD}@127.0.0.1:{port}/statuspage"
        f"?sslmode=verify-full&sslrootcert={certificates.ca}"
    )
    server.send_signal(signal.SIGINT)  # fast shutdown: a client left connected does not hold it up
    server.wait(30)


def central_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "STATUSPAGE_ENV": "test",
            "SCHEDULER_TICK_SECONDS": "0.5"}  # fmt: skip


def manage(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


SEED = """
from monitors.models import Monitor, Provider
provider = Provider.objects.create(name="openai-sim", slug="openai-sim", base_url="{base}",
                                   api_key_env="OPENAI_API_KEY")
Monitor.objects.create(provider=provider, name="chat", kind="openai", url="{api}", model="gpt-sim-mini",
                       interval_s=5, regions=["{region}"])
"""


def region_worker_command(compose: dict, values: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The service's command and environment as docker compose would fill them in from `values`."""
    service = compose["services"]["region-worker"]

    def fill(text: str) -> str:
        return re.sub(r"\$\{(\w+)(?::?[-?][^}]*)?\}", lambda m: values.get(m[1], ""), str(text))

    env = {name: fill(value) for name, value in service["environment"].items()}
    argv = [fill(part) for part in service["command"]]
    assert argv[0] == "celery"
    return [sys.executable, "-m", *argv], env


def test_a_region_worker_given_only_its_compose_configuration_probes_and_records(
    scratch, tls_redis, tls_postgres
):
    central = central_env(tls_postgres, tls_redis)
    manage(central, "migrate", "--no-input")
    with FakeFleet(api_key=FLEET_KEY, beat_s=0.2) as fleet:
        seed = SEED.format(base=fleet.url("openai-sim"), api=fleet.api_base("openai-sim"), region=REGION)
        manage(central, "shell", "-c", seed)
        argv, region_env = region_worker_command(
            yaml.safe_load(COMPOSE.read_text()),
            {"PROBE_REGION": REGION, "SECRET_KEY": "a-region-workers-own-key-" + "x" * 16,
             "DATABASE_URL": tls_postgres, "REDIS_URL": tls_redis, "OPENAI_API_KEY": FLEET_KEY},
        )  # fmt: skip
        # Nothing of this machine's configuration leaks in: the compose file's variables, a PATH, a HOME.
        region_env |= {"PATH": os.environ["PATH"], "HOME": str(scratch)}
        assert "DJANGO_SETTINGS_MODULE" not in region_env
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "statuspage", "worker", "-B", "-Q", "default",
             "--concurrency", "1", "--without-gossip", "--without-mingle",
             "--schedule", str(scratch / "beat-schedule")],
            cwd=ROOT, env=central, stdout=subprocess.DEVNULL, stderr=(scratch / "central.log").open("wb"),
        )  # fmt: skip
        worker = subprocess.Popen(
            argv, cwd=ROOT, env=region_env, stdout=subprocess.DEVNULL,
            stderr=(scratch / "region.log").open("wb"),
        )  # fmt: skip
        try:
            with psycopg.connect(tls_postgres.replace("postgres://", "postgresql://"), autocommit=True) as db:

                def recorded() -> int:
                    return db.execute(
                        "SELECT count(*) FROM monitors_proberesult WHERE region = %s AND outcome = 'ok'",
                        (REGION,),
                    ).fetchone()[0]

                wait_for(lambda: recorded() >= 2, "the region worker's results in the central database", 90)
                # Every connection to the central Postgres, the region worker's included, is TLS.
                plain = db.execute(
                    "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                    "WHERE a.backend_type = 'client backend' AND NOT s.ssl"
                ).fetchone()[0]
                assert plain == 0
        finally:
            stop(worker)
            stop(beat)
    region_log = (scratch / "region.log").read_text(errors="replace")
    assert "Task monitors.probe_batch" in region_log  # the central worker takes no probes.eu batches
    assert PASSWORD not in region_log


def test_the_central_servers_refuse_connections_without_tls(tls_redis, tls_postgres):
    """The setup above proves TLS only if plain connections really are refused."""
    plain_redis = re.sub(r"^rediss://", "redis://", tls_redis.split("?")[0])
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(plain_redis, socket_timeout=2).ping()
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(
            tls_postgres.split("?")[0].replace("postgres://", "postgresql://") + "?sslmode=disable"
        )
