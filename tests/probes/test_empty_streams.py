"""A stream that ends cleanly having said nothing is an empty reply, as the same reply unstreamed is."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from probes.kit import KEY, make_spec, probe

GEMINI_USAGE_ONLY = (
    b'data: {"usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 0, "totalTokenCount": 4},'
    b' "modelVersion": "gemini-2.5-flash"}\r\n\r\n'
)


def event_stream(body: bytes):
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    return lambda conn: conn.sendall(head.encode() + body)


@pytest.mark.parametrize(
    ("kind", "model", "body"),
    [
        ("openai", "gpt-4o-mini", b""),
        ("anthropic", "claude-haiku-4-5-20251001", b""),
        ("gemini", "gemini-2.5-flash", b""),
        ("gemini", "gemini-2.5-flash", GEMINI_USAGE_ONLY),
    ],
    ids=["openai-empty-body", "anthropic-empty-body", "gemini-empty-body", "gemini-usage-only"],
)
def test_a_stream_that_ends_with_no_content_is_empty_response(raw_server, kind, model, body) -> None:
    server = raw_server(event_stream(body))

    obs = probe(make_spec(kind=kind, model=model, url=server.url, api_key=KEY, stream=True))

    assert (obs.outcome, obs.error_type, obs.message) == (
        O.EMPTY_RESPONSE, "empty", "the stream ended with no content"
    )  # fmt: skip
    assert obs.http_status == 200


def test_a_stream_cut_after_tokens_is_still_truncated(raw_server) -> None:
    body = b'data: {"choices": [{"index": 0, "delta": {"content": "Hel"}}]}\n\n'
    server = raw_server(event_stream(body))

    obs = probe(make_spec(kind="openai", model="gpt-4o-mini", url=server.url, api_key=KEY, stream=True))

    assert obs.outcome == O.STREAM_TRUNCATED
    assert obs.message == "stream ended without a terminator after 1 token(s)"
