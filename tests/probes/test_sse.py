"""The SSE parser gives the same events however the bytes are split across reads."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitors.probes.sse import Event, SseError, SseParser

STREAM = (
    b": OPENROUTER PROCESSING\n\n"
    b'event: message_start\ndata: {"type": "message_start"}\n\n'
    b"\n\n"
    b'data: {"a": 1}\r\n\r\n'
    b"data: line one\ndata: line two\n\n"
    b'event: ping\ndata:{"type":"ping"}\n\n'
    b"data: [DONE]\n\n"
)
EVENTS = [
    Event("message_start", '{"type": "message_start"}'),
    Event("", '{"a": 1}'),
    Event("", "line one\nline two"),
    Event("ping", '{"type":"ping"}'),
    Event("", "[DONE]"),
]


def parse(chunks: list[bytes]) -> tuple[list[Event], int]:
    parser = SseParser(max_line=1024)
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.close(), parser.comments


def test_events_and_comments() -> None:
    assert parse([STREAM]) == (EVENTS, 1)


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=20))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(STREAM)]
    assert parse([STREAM[a:b] for a, b in itertools.pairwise(bounds)]) == (EVENTS, 1)


def test_last_event_without_its_blank_line_still_counts() -> None:
    assert parse([b'data: {"done": true}'])[0] == [Event("", '{"done": true}')]


def test_an_endless_line_is_refused() -> None:
    with pytest.raises(SseError, match="longer than 1024 bytes"):
        SseParser(max_line=1024).feed(b"data: " + b"x" * 2000)
