"""Secrets never reach stored text: the known key, and anything shaped like a key."""

from __future__ import annotations

import pytest

from statuspage.lib.redact import clip, redact, redact_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Incorrect API key provided: sk-proj-abcdefghijklmnop", "Incorrect API key provided: [redacted]"),
        ("key sk-ant-api03-AbC_dEf-123456 bad", "key [redacted] bad"),
        ("sk-or-v1-0123456789abcdef", "[redacted]"),
        ("gsk_0123456789abcdefghij", "[redacted]"),
        ("AIzaSyA-0123456789abcdefghijklmnopq invalid", "[redacted] invalid"),
        ("Authorization: Bearer eyJhbGciOi.J9.abc", "Authorization: [redacted]"),
        ("GET /v1beta/models?key=whatever123&alt=sse", "GET /v1beta/models?key=[redacted]&alt=sse"),
        ('{"x-api-key": "opaque1234"}', '{"x-api-key": "[redacted]"}'),
        ("access_token=abcd1234; path=/", "access_token=[redacted]; path=/"),
        ("max_tokens: 64001 > 64000", "max_tokens: 64001 > 64000"),
        (
            "Rate limit reached on tokens per min (TPM): Limit 30000",
            "Rate limit reached on tokens per min (TPM): Limit 30000",
        ),
    ],
)
def test_key_shapes_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_known_secret_is_redacted_whatever_its_shape() -> None:
    assert redact("your key opaque-9f8e7d is wrong", ["opaque-9f8e7d"]) == "your key [redacted] is wrong"


def test_empty_or_tiny_secrets_do_not_blank_the_text() -> None:
    assert redact("a message", ["", "a"]) == "a message"


def test_nested_data_is_redacted() -> None:
    data = {"incidents": [{"name": "leaked sk-abcdefghijkl"}], "n": 3, "sk-abcdefghijkl": True}
    assert redact_data(data) == {"incidents": [{"name": "leaked [redacted]"}], "n": 3, "[redacted]": True}


def test_clip_keeps_one_short_line() -> None:
    assert clip("a\n  b") == "a b"
    assert clip("x" * 400) == "x" * 299 + "…"
