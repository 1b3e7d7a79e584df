"""The fake Gemini provider: generateContent, alt=sse streaming, model list and Google error shapes."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fakefleet import FakeFleet

BODY = {
    "contents": [{"role": "user", "parts": [{"text": "ping"}]}],
    "generationConfig": {"maxOutputTokens": 2},
}
KEY = {"x-goog-api-key": "sk-fake"}


def post(
    http: httpx.Client,
    fleet: FakeFleet,
    action: str,
    headers: dict[str, str] | None = None,
    **params: str,
) -> httpx.Response:
    url = f"{fleet.api_base('gemini-sim')}/models/gemini-2.5-flash:{action}"
    return http.post(url, json=BODY, headers=headers if headers is not None else KEY, params=params)


def test_generate_content_shape(http: httpx.Client, fleet: FakeFleet) -> None:
    reply = post(http, fleet, "generateContent").json()
    candidate = reply["candidates"][0]
    assert candidate["content"] == {"parts": [{"text": "pong lorem"}], "role": "model"}
    assert candidate["finishReason"] == "MAX_TOKENS"
    usage = reply["usageMetadata"]
    assert usage["candidatesTokenCount"] == 2
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + 2


def test_stream_is_data_frames_that_just_end(http: httpx.Client, fleet: FakeFleet) -> None:
    response = post(http, fleet, "streamGenerateContent", alt="sse")
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [
        json.loads(line[len("data: ") :]) for line in response.text.splitlines() if line.startswith("data: ")
    ]
    text = "".join(part["text"] for f in frames for part in f["candidates"][0]["content"]["parts"])
    assert text == "pong lorem"
    assert frames[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert "finishReason" not in frames[0]["candidates"][0]
    assert "event:" not in response.text and "[DONE]" not in response.text


def test_key_in_query_string_works(http: httpx.Client, fleet: FakeFleet) -> None:
    assert post(http, fleet, "generateContent", headers={}, key="sk-fake").status_code == 200


def test_models_list(http: httpx.Client, fleet: FakeFleet) -> None:
    models = http.get(fleet.api_base("gemini-sim") + "/models", headers=KEY).json()["models"]
    assert "models/gemini-2.5-flash" in [m["name"] for m in models]
    assert "generateContent" in models[0]["supportedGenerationMethods"]


def test_bad_key_is_400_api_key_invalid(http: httpx.Client, fleet: FakeFleet) -> None:
    response = post(http, fleet, "generateContent", headers={"x-goog-api-key": "nope"})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["status"]) == (400, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["reason"] == "API_KEY_INVALID"


def test_no_key_is_permission_denied(http: httpx.Client, fleet: FakeFleet) -> None:
    response = post(http, fleet, "generateContent", headers={})
    assert (response.status_code, response.json()["error"]["status"]) == (403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("rate_limited", 429, "RESOURCE_EXHAUSTED"),
        ("quota", 429, "RESOURCE_EXHAUSTED"),
        ("overloaded", 503, "UNAVAILABLE"),
        ("server_error", 500, "INTERNAL"),
        ("auth", 400, "INVALID_ARGUMENT"),
        ("client_error", 400, "INVALID_ARGUMENT"),
    ],
)
def test_error_statuses(http: httpx.Client, fleet: FakeFleet, name: str, status: int, code: str) -> None:
    response = post(http, fleet, "generateContent", headers={**KEY, "X-Fake-Fault": name})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["status"]) == (status, status, code)


def test_rate_limited_has_retry_after(http: httpx.Client, fleet: FakeFleet) -> None:
    response = post(http, fleet, "generateContent", headers={**KEY, "X-Fake-Fault": "rate_limited"})
    assert response.headers["retry-after"] == "1"


def test_empty_candidate_has_no_parts(http: httpx.Client, fleet: FakeFleet) -> None:
    reply = post(http, fleet, "generateContent", headers={**KEY, "X-Fake-Fault": "empty"}).json()
    assert reply["candidates"][0]["content"] == {"role": "model"}
    assert reply["candidates"][0]["finishReason"] == "STOP"


def test_truncated_stream_lacks_finish_reason(http: httpx.Client, fleet: FakeFleet) -> None:
    response = post(
        http, fleet, "streamGenerateContent", headers={**KEY, "X-Fake-Fault": "truncate"}, alt="sse"
    )
    assert response.status_code == 200 and "pong" in response.text
    assert "finishReason" not in response.text


def test_unknown_method_is_not_found(http: httpx.Client, fleet: FakeFleet) -> None:
    assert post(http, fleet, "embedEverything").status_code == 404
