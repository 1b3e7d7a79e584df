"""The official openai SDK talks to the fake OpenAI-compatible providers as to the real ones."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.fakefleet import FakeFleet

PING = [{"role": "user", "content": "ping"}]


def fault(name: str) -> dict[str, dict[str, str]]:
    return {"extra_headers": {"X-Fake-Fault": name}}


def test_completion_parses_with_usage(openai_client: openai.OpenAI) -> None:
    reply = openai_client.chat.completions.create(model="gpt-4o-mini", messages=PING, max_tokens=1)
    assert reply.choices[0].message.content == "pong"
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None and reply.usage.completion_tokens == 1
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 1


def test_unconstrained_reply_stops_naturally(openai_client: openai.OpenAI) -> None:
    reply = openai_client.chat.completions.create(model="gpt-4o-mini", messages=PING)
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.content.startswith("pong lorem")


def test_fake_tokens_header_overrides_max_tokens(openai_client: openai.OpenAI) -> None:
    reply = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=PING, max_tokens=1, extra_headers={"X-Fake-Tokens": "40"}
    )
    assert reply.usage is not None and reply.usage.completion_tokens == 40


def test_stream_role_chunk_content_finish_usage_done(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=PING, max_tokens=3, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant" and not chunks[0].choices[0].delta.content
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "pong lorem ipsum"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert (
        chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3
    )


def test_stream_ends_with_done_sentinel(http: httpx.Client, fleet: FakeFleet) -> None:
    body = {"model": "m", "messages": PING, "max_tokens": 1, "stream": True}
    response = http.post(
        fleet.api_base("openai-sim") + "/chat/completions",
        json=body,
        headers={"Authorization": "Bearer sk-fake"},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.endswith("data: [DONE]\n\n")
    assert '"usage"' not in response.text  # only with stream_options.include_usage


def test_models_list(openai_client: openai.OpenAI) -> None:
    assert "gpt-4o-mini" in [model.id for model in openai_client.models.list()]


def test_response_headers_carry_request_id_and_rate_limits(openai_client: openai.OpenAI) -> None:
    raw = openai_client.chat.completions.with_raw_response.create(model="m", messages=PING, max_tokens=1)
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["x-ratelimit-remaining-requests"].isdigit()


@pytest.mark.parametrize(
    ("name", "exception", "status", "code"),
    [
        ("rate_limited", openai.RateLimitError, 429, "rate_limit_exceeded"),
        ("quota", openai.RateLimitError, 429, "insufficient_quota"),
        ("server_error", openai.InternalServerError, 500, None),
        ("overloaded", openai.InternalServerError, 503, "server_is_overloaded"),
        ("auth", openai.AuthenticationError, 401, "invalid_api_key"),
        ("client_error", openai.BadRequestError, 400, "unsupported_parameter"),
    ],
)
def test_errors_map_to_sdk_exceptions(
    openai_client: openai.OpenAI,
    name: str,
    exception: type[openai.APIStatusError],
    status: int,
    code: str | None,
) -> None:
    with pytest.raises(exception) as caught:
        openai_client.chat.completions.create(model="m", messages=PING, max_tokens=1, **fault(name))
    assert caught.value.status_code == status
    assert caught.value.code == code


def test_rate_limited_says_when_to_retry(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        openai_client.chat.completions.create(model="m", messages=PING, max_tokens=1, **fault("rate_limited"))
    assert caught.value.response.headers["retry-after"] == "1"


def test_wrong_key_is_refused(fleet: FakeFleet) -> None:
    client = openai.OpenAI(base_url=fleet.api_base("openai-sim"), api_key="sk-wrong-key-1234", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="m", messages=PING, max_tokens=1)
    assert caught.value.code == "invalid_api_key"
    assert "1234" in caught.value.message and "wrong-key" not in caught.value.message


def test_missing_key_is_refused(http: httpx.Client, fleet: FakeFleet) -> None:
    response = http.post(fleet.api_base("openai-sim") + "/chat/completions", json={"messages": PING})
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_stream_error_raises_inside_the_200_stream(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="m", messages=PING, max_tokens=5, stream=True, **fault("stream_error")
    )
    with pytest.raises(openai.APIError, match="The server had an error"):
        list(stream)


def test_empty_reply_has_no_choices(openai_client: openai.OpenAI) -> None:
    reply = openai_client.chat.completions.create(model="m", messages=PING, max_tokens=1, **fault("empty"))
    assert reply.choices == []


def test_truncated_stream_never_finishes(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="m", messages=PING, max_tokens=8, stream=True, **fault("truncate")
    )
    chunks = [c for c in stream if c.choices]
    assert chunks and all(c.choices[0].finish_reason is None for c in chunks)


def test_wrong_answer_is_valid_but_unrelated(openai_client: openai.OpenAI) -> None:
    reply = openai_client.chat.completions.create(
        model="m", messages=PING, max_tokens=5, **fault("wrong_answer")
    )
    assert reply.choices[0].message.content and "pong" not in reply.choices[0].message.content


def test_invalid_max_tokens_is_a_bad_request(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        openai_client.chat.completions.create(model="m", messages=PING, max_tokens=0)


def test_deepseek_speaks_openai_with_its_own_models_and_402(fleet: FakeFleet) -> None:
    client = openai.OpenAI(base_url=fleet.api_base("deepseek-sim"), api_key="sk-fake", max_retries=0)
    assert "deepseek-chat" in [model.id for model in client.models.list()]
    reply = client.chat.completions.create(model="deepseek-chat", messages=PING, max_tokens=1)
    assert reply.choices[0].message.content == "pong"
    assert reply.usage is not None and reply.usage.model_extra["prompt_cache_miss_tokens"] > 0
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="deepseek-chat", messages=PING, max_tokens=1, **fault("quota"))
    assert caught.value.status_code == 402


def test_deepseek_serves_chat_completions_without_v1(fleet: FakeFleet) -> None:
    client = openai.OpenAI(base_url=fleet.url("deepseek-sim"), api_key="sk-fake", max_retries=0)
    assert client.chat.completions.create(model="deepseek-chat", messages=PING).choices
