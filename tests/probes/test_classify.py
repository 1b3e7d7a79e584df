"""Classification of error responses and transport failures, from real providers' bodies."""

from __future__ import annotations

import json
import socket
import ssl

import httpx
import pytest

from monitors.classify import classify_exception, classify_response
from monitors.outcomes import Outcome as O

CF = {"server": "cloudflare", "cf-ray": "8f0c-SJC"}
HTML = {"content-type": "text/html"}
JSON = {"content-type": "application/json"}


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def openai_error(message: str, type_: str, code: str | None = None) -> bytes:
    return body({"error": {"message": message, "type": type_, "param": None, "code": code}})


CASES = [
    # (status, headers, body, outcome, error_type)
    (
        429,
        JSON,
        openai_error("Rate limit reached for gpt-4o", "tokens", "rate_limit_exceeded"),
        O.RATE_LIMITED,
        "rate_limit_exceeded",
    ),
    (
        429,
        JSON,
        openai_error(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
        ),
        O.QUOTA_EXHAUSTED,
        "insufficient_quota",
    ),
    (
        429,
        JSON,
        openai_error(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
        ),
        O.QUOTA_EXHAUSTED,
        "insufficient_quota",
    ),
    (
        429,
        JSON,
        body(
            {
                "type": "error",
                "error": {
                    "type": "rate_limit_error",
                    "message": "Usage limit",
                    "details": {"error_code": "enforced_spend_limit_reached"},
                },
            }
        ),
        O.QUOTA_EXHAUSTED,
        "enforced_spend_limit_reached",
    ),
    (
        429,
        JSON,
        body(
            {
                "type": "error",
                "error": {
                    "type": "rate_limit_error",
                    "message": "Number of request tokens has exceeded your per-minute rate limit",
                },
            }
        ),
        O.RATE_LIMITED,
        "rate_limit_error",
    ),
    (
        429,
        JSON,
        body(
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                }
            }
        ),
        O.RATE_LIMITED,
        "RESOURCE_EXHAUSTED",
    ),
    (
        429,
        JSON,
        body(
            {
                "error": {
                    "code": 429,
                    "message": "You exceeded your current quota, please check your plan and billing details.",
                    "status": "RESOURCE_EXHAUSTED",
                    "details": [
                        {"violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]}
                    ],
                }
            }
        ),
        O.RATE_LIMITED,
        "RESOURCE_EXHAUSTED",
    ),
    (
        429,
        JSON,
        body(
            {
                "object": "error",
                "message": "Requests rate limit exceeded",
                "type": "rate_limited",
                "param": None,
                "code": "1300",
            }
        ),
        O.RATE_LIMITED,
        "rate_limited",
    ),
    (
        402,
        JSON,
        openai_error("Insufficient Balance", "unknown_error", "invalid_request_error"),
        O.QUOTA_EXHAUSTED,
        "invalid_request_error",
    ),
    (
        401,
        JSON,
        openai_error(
            "Incorrect API key provided: sk-PMafP***E873.", "invalid_request_error", "invalid_api_key"
        ),
        O.AUTH_ERROR,
        "invalid_api_key",
    ),
    (401, JSON, body({"message": "Unauthorized", "request_id": "abc"}), O.AUTH_ERROR, "http_401"),
    (401, JSON, body({"detail": "Unauthorized"}), O.AUTH_ERROR, "http_401"),
    (
        403,
        JSON,
        openai_error(
            "Country, region, or territory not supported",
            "request_forbidden",
            "unsupported_country_region_territory",
        ),
        O.AUTH_ERROR,
        "unsupported_country_region_territory",
    ),
    (403, {**CF, **HTML}, b"<!DOCTYPE html><title>Just a moment...</title>", O.CDN_ERROR, "html_page"),
    (
        400,
        JSON,
        body(
            {
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
                    ],
                }
            }
        ),
        O.AUTH_ERROR,
        "API_KEY_INVALID",
    ),
    (
        400,
        JSON,
        openai_error(
            "Unsupported parameter: 'max_tokens' is not supported with this model.",
            "invalid_request_error",
            "unsupported_parameter",
        ),
        O.CLIENT_ERROR,
        "unsupported_parameter",
    ),
    (
        400,
        JSON,
        body({"object": "error", "message": "bad", "type": "BadRequestError", "param": None, "code": 400}),
        O.CLIENT_ERROR,
        "BadRequestError",
    ),
    (
        404,
        JSON,
        body({"type": "error", "error": {"type": "not_found_error", "message": "model: claude-x"}}),
        O.CLIENT_ERROR,
        "not_found_error",
    ),
    (408, JSON, body({"error": {"code": 408, "message": "Timed out"}}), O.TIMEOUT_TTFT, "http_408"),
    (
        503,
        JSON,
        openai_error("Model temporarily overloaded", "service_unavailable_error", "server_is_overloaded"),
        O.OVERLOADED,
        "server_is_overloaded",
    ),
    (
        529,
        {**CF, **JSON},
        body({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        O.OVERLOADED,
        "overloaded_error",
    ),
    (
        498,
        JSON,
        body({"error": {"message": "Capacity exceeded", "type": "capacity_exceeded"}}),
        O.OVERLOADED,
        "capacity_exceeded",
    ),
    (
        500,
        JSON,
        body(
            {
                "error": {
                    "message": "qwen/qwen3-32b is currently over capacity.",
                    "type": "internal_server_error",
                }
            }
        ),
        O.OVERLOADED,
        "internal_server_error",
    ),
    (
        503,
        JSON,
        body(
            {
                "error": {
                    "code": 503,
                    "message": "The model is overloaded. Please try again later.",
                    "status": "UNAVAILABLE",
                }
            }
        ),
        O.OVERLOADED,
        "UNAVAILABLE",
    ),
    (
        503,
        JSON,
        body({"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}),
        O.OVERLOADED,
        "unavailable_error",
    ),
    (
        500,
        JSON,
        openai_error("The server had an error while processing your request.", "server_error"),
        O.SERVER_ERROR,
        "server_error",
    ),
    (
        500,
        {**CF, **JSON},
        body({"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}),
        O.SERVER_ERROR,
        "api_error",
    ),
    (
        504,
        JSON,
        body({"error": {"code": 504, "message": "Deadline exceeded", "status": "DEADLINE_EXCEEDED"}}),
        O.SERVER_ERROR,
        "DEADLINE_EXCEEDED",
    ),
    (500, {"content-type": "text/plain"}, b"Internal Server Error", O.SERVER_ERROR, "http_500"),
    (
        502,
        {**CF, **JSON},
        body({"error": {"code": 502, "message": "Bad gateway.", "param": None, "type": "cf_bad_gateway"}}),
        O.CDN_ERROR,
        "cf_bad_gateway",
    ),
    (
        502,
        {**CF, **HTML},
        b"<!DOCTYPE html><html><head><title>api.openai.com | 502: Bad gateway</title>",
        O.CDN_ERROR,
        "html_page",
    ),
    (502, {}, b"<html>Bad gateway</html>", O.CDN_ERROR, "html_page"),
    (520, CF, b"", O.CDN_ERROR, "http_520"),
    (
        524,
        {**CF, **HTML},
        b"<title>api.anthropic.com | 524: A timeout occurred</title>",
        O.CDN_ERROR,
        "html_page",
    ),
    (301, {"location": "https://x"}, b"", O.CLIENT_ERROR, "http_301"),
]


@pytest.mark.parametrize(("status", "headers", "payload", "outcome", "error_type"), CASES)
def test_error_response(status, headers, payload, outcome, error_type) -> None:
    verdict = classify_response(status, httpx.Headers(headers), payload)
    assert (verdict.outcome, verdict.error_type) == (outcome, error_type), verdict.message


def test_message_is_the_provider_message_or_the_page_title() -> None:
    assert classify_response(503, {}, openai_error("Model temporarily overloaded", "x")).message == (
        "HTTP 503: Model temporarily overloaded"
    )
    page = b"<html><head><title>\n api.openai.com | 502: Bad gateway\n</title>"
    assert classify_response(502, {}, page).message == "HTTP 502 HTML page: api.openai.com | 502: Bad gateway"
    assert classify_response(520, {}, b"").message == "HTTP 520 with an empty body"


def chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("exc", "got_headers", "outcome", "error_type"),
    [
        (httpx.ConnectTimeout("t"), False, O.TIMEOUT_CONNECT, "ConnectTimeout"),
        (
            chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
            False,
            O.CONNECT_ERROR,
            "dns_error",
        ),
        (
            chained(httpx.ConnectError("x"), ssl.SSLError(1, "WRONG_VERSION_NUMBER")),
            False,
            O.CONNECT_ERROR,
            "tls_error",
        ),
        (
            chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "expired")),
            False,
            O.CONNECT_ERROR,
            "tls_error",
        ),
        (
            chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")),
            False,
            O.CONNECT_ERROR,
            "connection_refused",
        ),
        (
            chained(httpx.ReadError("x"), ConnectionResetError(104, "reset")),
            False,
            O.CONNECT_ERROR,
            "connection_reset",
        ),
        (httpx.ReadError("reset"), True, O.STREAM_TRUNCATED, "ReadError"),
        (
            httpx.RemoteProtocolError("incomplete chunked read"),
            True,
            O.STREAM_TRUNCATED,
            "RemoteProtocolError",
        ),
        (httpx.RemoteProtocolError("illegal status line"), False, O.MALFORMED, "RemoteProtocolError"),
        (httpx.DecodingError("bad gzip"), True, O.MALFORMED, "DecodingError"),
        (httpx.UnsupportedProtocol("ftp"), False, O.CLIENT_ERROR, "UnsupportedProtocol"),
    ],
)
def test_transport_failure(exc, got_headers, outcome, error_type) -> None:
    verdict = classify_exception(exc, got_headers=got_headers)
    assert (verdict.outcome, verdict.error_type) == (outcome, error_type)
