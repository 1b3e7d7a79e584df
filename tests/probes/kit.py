"""Helpers for the probe tests: specs aimed at the fake fleet, batch runners, a raw TCP server."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

from monitors import engine
from monitors.outcomes import Outcome as O
from monitors.probes.base import Observation, ProbeSpec
from tests.fakefleet import FakeFleet

KEY = "sk-fake"
MODELS = {
    "openai-sim": "gpt-4o-mini",
    "deepseek-sim": "deepseek-chat",
    "anthropic-sim": "claude-haiku-4-5-20251001",
    "gemini-sim": "gemini-2.5-flash",
}
# Small limits keep the suite fast (hang, stall and slowloris cases take about this long), yet leave
# room for a busy machine: a healthy reply from the fake takes milliseconds.
FAST = {"timeout_s": 4.0, "connect_timeout_s": 2.0, "ttft_timeout_s": 2.0, "stall_timeout_s": 1.0}

# (X-Fake-Fault, stream, expected outcome): one taxonomy, so the same table holds for every chat kind.
FAULT_CASES = [
    *[
        (f, s, o)
        for s in (False, True)
        for f, o in [
            ("ok", O.OK),
            ("rate_limited", O.RATE_LIMITED),
            ("overloaded", O.OVERLOADED),
            ("server_error", O.SERVER_ERROR),
            ("auth", O.AUTH_ERROR),
            ("quota", O.QUOTA_EXHAUSTED),
            ("client_error", O.CLIENT_ERROR),
            ("empty", O.EMPTY_RESPONSE),
            ("wrong_answer", O.CONTENT_CHECK_FAILED),
            ("huge", O.MALFORMED),
            ("malformed", O.MALFORMED),
            ("truncate", O.STREAM_TRUNCATED),
            ("stall", O.STREAM_STALLED),
            ("stream_error", O.STREAM_ERROR_EVENT),
            ("hang", O.TIMEOUT_TTFT),
            ("reset", O.CONNECT_ERROR),
            ("slowloris", O.TIMEOUT_TTFT),
            ("bad_gateway_html", O.CDN_ERROR),
            ("cdn_520_empty", O.CDN_ERROR),
        ]
    ],
    # Blank lines (DeepSeek) before a reply never become one; keep-alives or pings after three tokens
    # are not tokens, so the stall timer still fires.
    ("stall_keepalive", False, O.TIMEOUT_TTFT),
    ("stall_keepalive", True, O.STREAM_STALLED),
]


def make_spec(**fields: Any) -> ProbeSpec:
    return ProbeSpec(**{"monitor_id": 1, "kind": "openai", "url": "", **FAST, **fields})


def chat_spec(fleet: FakeFleet, provider: str, **fields: Any) -> ProbeSpec:
    """A probe of one fleet provider with the right kind, base URL, model and key."""
    kind = {"deepseek": "openai"}.get(fleet.kind(provider), fleet.kind(provider))
    defaults = {"kind": kind, "url": fleet.api_base(provider), "model": MODELS[provider], "api_key": KEY}
    return make_spec(**{**defaults, **fields})


def probe(spec: ProbeSpec) -> Observation:
    return engine.run_batch_sync([spec], concurrency=1, region="test")[0]


def probe_all(specs: list[ProbeSpec]) -> list[Observation]:
    return engine.run_batch_sync(specs, concurrency=len(specs), region="test")


def fault_matrix(
    fleet: FakeFleet, provider: str, cases: list[tuple[str, bool, Any]], **fields: Any
) -> dict[tuple[str, bool], Observation]:
    """Every (X-Fake-Fault, stream) case in one concurrent batch, by case."""
    specs = [
        chat_spec(
            fleet,
            provider,
            monitor_id=number,
            stream=stream,
            headers={"X-Fake-Fault": fault, "X-Fake-ITL-Ms": "5"},
            **fields,
        )
        for number, (fault, stream, _) in enumerate(cases)
    ]
    return {(fault, stream): obs for (fault, stream, _), obs in zip(cases, probe_all(specs), strict=True)}


class RawServer:
    """A TCP server on a free port; `serve(conn)` answers each connection in its own thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._serve = serve
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            self.requests.append(read_request(conn))
            self._serve(conn)

    def stopped(self) -> bool:
        return self._stopped.is_set()

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            while len(body) < int(line.split(b":")[1]):
                body += conn.recv(65536)
    return head + b"\r\n\r\n" + body
