"""What each provider's events and replies mean: text, reasoning, stop, usage, errors, or nothing."""

from __future__ import annotations

import pytest

from monitors.probes import anthropic, gemini, openai
from monitors.probes.reply import DONE, NOTHING, Step, conclude
from probes.kit import make_spec


@pytest.mark.parametrize(
    ("data", "step"),
    [
        ({"choices": [{"delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}, NOTHING),
        ({"choices": [{"delta": {"content": "Hi"}, "finish_reason": None}], "usage": None}, Step(text="Hi")),
        ({"choices": [{"delta": {"reasoning_content": "hmm"}}]}, Step(reasoning="hmm")),
        ({"choices": [{"delta": {}, "finish_reason": "stop"}]}, Step(stop="stop")),
        ({"choices": [], "usage": {"completion_tokens": 7}}, Step(tokens=7)),
        (
            {"choices": [{"delta": {"content": [{"type": "text", "text": "a"}, {"text": "b"}]}}]},
            Step(text="ab"),
        ),
        (
            {"error": {"message": "boom", "type": "server_error"}},
            Step(error={"error": {"message": "boom", "type": "server_error"}}),
        ),
        ({"error": None, "choices": [{"delta": {"content": "x"}}]}, Step(text="x")),
    ],
)
def test_openai_chunk(data: dict, step: Step) -> None:
    assert openai.read_event("", data) == step


def test_openai_reply_without_choices_is_empty_but_missing_choices_is_malformed() -> None:
    assert openai.parse_reply({"choices": [], "usage": {"completion_tokens": 3}}) == Step(tokens=3)
    with pytest.raises(KeyError):
        openai.parse_reply({"id": "x"})


@pytest.mark.parametrize(
    ("name", "data", "step"),
    [
        ("message_start", {"type": "message_start", "message": {"usage": {"output_tokens": 1}}}, NOTHING),
        (
            "content_block_start",
            {"type": "content_block_start", "content_block": {"type": "text", "text": ""}},
            NOTHING,
        ),
        ("ping", {"type": "ping"}, NOTHING),
        (
            "content_block_delta",
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hi"}},
            Step(text="Hi"),
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "delta": {"type": "thinking_delta", "thinking": "so"}},
            Step(reasoning="so"),
        ),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 15}},
            Step(stop="end_turn", tokens=15),
        ),
        ("message_stop", {"type": "message_stop"}, DONE),
        (
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            Step(error={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
    ],
)
def test_anthropic_event(name: str, data: dict, step: Step) -> None:
    assert anthropic.read_event(name, data) == step


def test_anthropic_reply_with_empty_content_is_empty_not_malformed() -> None:
    reply = {"type": "message", "content": [], "stop_reason": "end_turn", "usage": {"output_tokens": 0}}
    assert anthropic.parse_reply(reply) == Step(stop="end_turn", tokens=0)
    with pytest.raises(ValueError, match="expected a message"):
        anthropic.parse_reply({"type": "completion"})


@pytest.mark.parametrize(
    ("data", "step"),
    [
        ({"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}]}, Step(text="Hi")),
        (
            {"candidates": [{"content": {"parts": [{"text": "plan", "thought": True}]}}]},
            Step(reasoning="plan"),
        ),
        ({"candidates": [{"content": {"role": "model"}, "finishReason": "STOP"}]}, Step(stop="STOP")),
        (
            {
                "candidates": [{"content": {"parts": [{"text": ""}]}, "finishReason": "MAX_TOKENS"}],
                "usageMetadata": {"candidatesTokenCount": 5},
            },
            Step(stop="MAX_TOKENS", tokens=5),
        ),
        ({"promptFeedback": {"blockReason": "SAFETY"}}, NOTHING),
    ],
)
def test_gemini_chunk(data: dict, step: Step) -> None:
    assert gemini.read_event("", data) == step


@pytest.mark.parametrize(
    ("text", "stop", "expect", "outcome"),
    [
        ("pong", "stop", "", "ok"),
        ("", "stop", "", "empty_response"),
        ("", "", "", "empty_response"),
        ("\n\n", "length", "", "ok"),  # the first token of a 1-token probe may be a newline
        ("\n\n", "stop", "", "empty_response"),  # finished, having said nothing
        # A reasoning model may spend a 1-token budget thinking: not empty, but no content to check.
        ("", "length", "", "ok"),
        ("", "MAX_TOKENS", "pong", "content_check_failed"),
        ("PONG!", "end_turn", "pong", "ok"),
        ("I cannot help", "stop", "pong", "content_check_failed"),
    ],
)
def test_reply_checks(text: str, stop: str, expect: str, outcome: str) -> None:
    assert conclude(make_spec(expect_text=expect), text, stop).outcome == outcome


def test_content_check_failure_reads_like_a_condition() -> None:
    verdict = conclude(make_spec(expect_text="pong"), "I cannot help with that", "stop")
    assert verdict.message == 'reply ("I cannot help with that") contains "pong"'
