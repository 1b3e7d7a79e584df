"""Bounded database waits for the web process: server-side statement and lock timeouts, and
client-side deadlines for a server that does not answer at all (hung, stopped, a dead network path).

A statement timeout is enforced by the server, so it does nothing when the server itself is stuck
(SIGSTOP, a frozen VM): the query waits on its socket for ever. Each query therefore registers its
deadline, and one reaper thread shuts down the socket of any query past it, which makes psycopg raise
OperationalError at once; callers already treat a DatabaseError as "the database is unavailable".
Connecting is bounded by `base.DatabaseWrapper` (libpq will not wait less than 2 s).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

ENGINE = "statuspage.lib.webdb"
REAP_EVERY_S = 0.05
# Past the statement timeout the server would have answered if it could: the client gives up then.
GRACE_S = 0.1
# A health check is one `SELECT 1`, the first reply to a new connection one byte: a server that takes
# this long for either is not answering.
HEALTH_CHECK_S = 0.3
CONNECT_PROBE_S = 0.5

_running: dict[int, tuple[float, int]] = {}  # thread id -> (monotonic deadline, socket fd)
_lock = threading.Lock()
limits = {"query_s": 1.0}


def install(databases: dict[str, dict[str, Any]], query_timeout_s: float, connect_timeout_s: int) -> None:
    """Bound every connection of this process. Call before the first query (the web entry points)."""
    limits["query_s"] = query_timeout_s
    timeout_ms = max(1, int(query_timeout_s * 1000))
    for config in databases.values():
        config["ENGINE"] = ENGINE
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = connect_timeout_s
        options["options"] = f"-c statement_timeout={timeout_ms} -c lock_timeout={max(1, timeout_ms // 2)}"
    threading.Thread(target=_reap_forever, name="db-deadline", daemon=True).start()


@contextmanager
def deadline(fd: int, seconds: float) -> Iterator[None]:
    """Cut the connection on `fd` if what runs inside takes longer than `seconds`."""
    me = threading.get_ident()
    with _lock:
        _running[me] = (time.monotonic() + seconds, fd)
    try:
        yield
    finally:
        with _lock:
            _running.pop(me, None)


def _reap_forever() -> None:
    while True:
        time.sleep(REAP_EVERY_S)
        now = time.monotonic()
        with _lock:  # held while shutting down: the query's thread cannot close that fd meanwhile
            for thread, (due, fd) in list(_running.items()):
                if now > due:
                    del _running[thread]
                    _cut(fd)


def _cut(fd: int) -> None:
    log.warning("a database call passed its deadline: dropping its connection")
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the server: the call fails on its own
