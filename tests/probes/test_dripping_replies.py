"""A reply that is not streamed is whole or it is late: bytes dripping in are not progress."""

from __future__ import annotations

import time

import pytest

from monitors.outcomes import Outcome as O
from probes.kit import KEY, make_spec, probe

DRIP_S = 0.2


def dripping(byte: bytes, content_type: bytes = b"application/json"):
    """Headers at once, then one byte every DRIP_S (a body that would take ages to complete)."""

    def serve(conn) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\nContent-Length: 500\r\n\r\n")
        for _ in range(100):
            time.sleep(DRIP_S)
            conn.sendall(byte)

    return serve


@pytest.mark.parametrize("byte", [b"x", b" "], ids=["content", "whitespace"])
@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "openai", "model": "gpt-4o-mini", "stream": False},
        {"kind": "anthropic", "model": "claude-haiku-4-5-20251001", "stream": False},
        {"kind": "models", "options": {"flavour": "openai"}},
    ],
    ids=["openai", "anthropic", "models"],
)
def test_a_dripping_reply_is_timeout_ttft_at_the_first_token_deadline(raw_server, fields, byte) -> None:
    server = raw_server(dripping(byte))
    spec = make_spec(
        url=server.url, api_key=KEY, ttft_timeout_s=1.0, stall_timeout_s=0.5, timeout_s=4.0, **fields
    )

    obs = probe(spec)

    assert (obs.outcome, obs.error_type) == (O.TIMEOUT_TTFT, "timeout")
    assert obs.message.startswith("no complete ") and obs.message.endswith(" within 1 s")
    assert obs.http_status == 200
    # The same outcome at the same moment whatever the bytes: the first-token deadline, not the hard one.
    assert 900 <= obs.total_ms < 2500
