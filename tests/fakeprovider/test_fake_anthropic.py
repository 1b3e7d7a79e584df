"""The official anthropic SDK talks to the fake Anthropic provider as to api.anthropic.com."""

from __future__ import annotations

import anthropic
import httpx
import pytest

from tests.fakefleet import FakeFleet

PING = [{"role": "user", "content": "ping"}]


def fault(name: str) -> dict[str, dict[str, str]]:
    return {"extra_headers": {"X-Fake-Fault": name}}


def test_message_parses(anthropic_client: anthropic.Anthropic) -> None:
    message = anthropic_client.messages.create(model="claude-haiku-4-5", max_tokens=1, messages=PING)
    assert message.type == "message"
    assert message.content[0].type == "text" and message.content[0].text == "pong"
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 1 and message.usage.input_tokens > 0


def test_stream_events_in_order(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(
        model="claude-haiku-4-5", max_tokens=3, messages=PING, stream=True
    )
    events = list(stream)
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]  # the SDK drops the ping
    assert events[-2].delta.stop_reason == "max_tokens" and events[-2].usage.output_tokens == 3


def test_stream_helper_collects_text(anthropic_client: anthropic.Anthropic) -> None:
    with anthropic_client.messages.stream(model="claude-haiku-4-5", max_tokens=2, messages=PING) as stream:
        assert "".join(stream.text_stream) == "pong lorem"
        assert stream.get_final_message().stop_reason == "max_tokens"


def test_raw_stream_has_ping_and_no_done_sentinel(http: httpx.Client, fleet: FakeFleet) -> None:
    response = http.post(
        fleet.api_base("anthropic-sim") + "/v1/messages",
        json={"model": "m", "max_tokens": 1, "messages": PING, "stream": True},
        headers={"x-api-key": "sk-fake", "anthropic-version": "2023-06-01"},
    )
    assert "event: ping\n" in response.text
    assert response.text.endswith('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    assert "[DONE]" not in response.text
    assert response.headers["request-id"].startswith("req_")


def test_models_list(anthropic_client: anthropic.Anthropic) -> None:
    models = anthropic_client.models.list()
    assert all(model.type == "model" for model in models.data)
    assert any(model.id.startswith("claude-haiku-4-5") for model in models.data)


@pytest.mark.parametrize(
    ("name", "exception", "status"),
    [
        ("overloaded", anthropic.OverloadedError, 529),
        ("rate_limited", anthropic.RateLimitError, 429),
        ("quota", anthropic.EnforcedSpendLimitReachedError, 429),
        ("server_error", anthropic.InternalServerError, 500),
        ("auth", anthropic.AuthenticationError, 401),
        ("client_error", anthropic.BadRequestError, 400),
    ],
)
def test_errors_map_to_sdk_exceptions(
    anthropic_client: anthropic.Anthropic, name: str, exception: type[anthropic.APIStatusError], status: int
) -> None:
    with pytest.raises(exception) as caught:
        anthropic_client.messages.create(model="m", max_tokens=1, messages=PING, **fault(name))
    assert caught.value.status_code == status
    assert caught.value.body["type"] == "error" and caught.value.body["request_id"].startswith("req_")


def test_overloaded_is_a_server_error_too(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.InternalServerError) as caught:
        anthropic_client.messages.create(model="m", max_tokens=1, messages=PING, **fault("overloaded"))
    assert caught.value.body["error"] == {"type": "overloaded_error", "message": "Overloaded"}


def test_rate_limit_has_retry_after_but_spend_limit_does_not(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.RateLimitError) as throttled:
        anthropic_client.messages.create(model="m", max_tokens=1, messages=PING, **fault("rate_limited"))
    with pytest.raises(anthropic.RateLimitError) as capped:
        anthropic_client.messages.create(model="m", max_tokens=1, messages=PING, **fault("quota"))
    assert throttled.value.response.headers["retry-after"] == "1"
    assert "retry-after" not in capped.value.response.headers


def test_error_event_inside_200_stream_raises(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(
        model="m", max_tokens=5, messages=PING, stream=True, **fault("stream_error")
    )
    with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
        list(stream)


def test_empty_reply_has_no_content_blocks(anthropic_client: anthropic.Anthropic) -> None:
    message = anthropic_client.messages.create(model="m", max_tokens=1, messages=PING, **fault("empty"))
    assert message.content == [] and message.stop_reason == "end_turn"


def test_wrong_key_missing_key_and_missing_version(http: httpx.Client, fleet: FakeFleet) -> None:
    url = fleet.api_base("anthropic-sim") + "/v1/messages"
    body = {"model": "m", "max_tokens": 1, "messages": PING}
    wrong = http.post(url, json=body, headers={"x-api-key": "nope", "anthropic-version": "2023-06-01"})
    missing = http.post(url, json=body, headers={"anthropic-version": "2023-06-01"})
    unversioned = http.post(url, json=body, headers={"x-api-key": "sk-fake"})
    assert (wrong.status_code, wrong.json()["error"]["type"]) == (401, "authentication_error")
    assert (missing.status_code, missing.json()["error"]["type"]) == (401, "authentication_error")
    assert (unversioned.status_code, unversioned.json()["error"]["type"]) == (400, "invalid_request_error")


def test_max_tokens_is_required(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="max_tokens"):
        anthropic_client.post("/v1/messages", body={"model": "m", "messages": PING}, cast_to=object)
