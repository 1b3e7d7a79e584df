"""Django's PostgreSQL backend with every wait bounded (the web process's ENGINE, set by install())."""

from __future__ import annotations

import socket
import struct
from typing import Any

import psycopg
from django.db.backends.postgresql import base

from statuspage.lib import webdb

# The SSLRequest message: any Postgres answers it with one byte at once, before authentication.
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(_bounded)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        # libpq waits at least 2 s for a server that accepts and never answers: ask it first, briefly.
        host, port = conn_params.get("host") or "", conn_params.get("port") or 5432
        if host and not host.startswith("/") and not answers(host, int(port), webdb.CONNECT_PROBE_S):
            raise psycopg.OperationalError(f"the database at {host}:{port} does not answer")
        return super().get_new_connection(conn_params)

    def is_usable(self) -> bool:
        with webdb.deadline(self.connection.fileno(), webdb.HEALTH_CHECK_S):
            return super().is_usable()


def _bounded(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    fd = context["connection"].connection.fileno()
    with webdb.deadline(fd, webdb.limits["query_s"] + webdb.GRACE_S):
        return execute(sql, params, many, context)


def answers(host: str, port: int, timeout_s: float) -> bool:
    """Whether the server answers a protocol message within `timeout_s` (refused: no, at once)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.sendall(SSL_REQUEST)
            return sock.recv(1) != b""
    except OSError:
        return False
