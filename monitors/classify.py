"""Turn what came back (an HTTP error, an error payload, a transport exception) into one Outcome."""

from __future__ import annotations

import json
import re
import socket
import ssl
from collections.abc import Mapping
from typing import Any, NamedTuple

import httpx

from monitors.outcomes import Outcome


class Verdict(NamedTuple):
    outcome: Outcome
    error_type: str = ""
    message: str = ""


class ErrorInfo(NamedTuple):
    """The parts of a provider error body we classify on, whatever its shape."""

    tags: frozenset[str]  # every type/code/status/reason found, lower-cased
    label: str  # the most specific of them, for Observation.error_type
    text: str  # the provider's message


_QUOTA_TAGS = frozenset(
    {
        "insufficient_quota",
        "enforced_spend_limit_reached",
        "billing_error",
        "credit_balance_exhausted",
        "insufficient_balance",
        "billing_hard_limit_reached",
    }
)
_QUOTA_WORDS = re.compile(
    r"exceeded your current quota|check your plan and billing|insufficient (?:balance|credits)|spend limit"
    r"|credit balance is too low",
    re.IGNORECASE,
)
_OVERLOAD_TAGS = frozenset(
    {"overloaded_error", "server_is_overloaded", "unavailable", "capacity_exceeded", "unavailable_error"}
)
_OVERLOAD_WORDS = re.compile(r"overloaded|over capacity|at capacity", re.IGNORECASE)
_AUTH_TAGS = frozenset({"api_key_invalid", "invalid_api_key", "authentication_error", "permission_error"})
_OVERLOAD_STATUSES = frozenset({498, 503, 529})
_TITLE = re.compile(rb"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)


def error_info(data: Any) -> ErrorInfo:
    """Read OpenAI/Groq/DeepSeek, Anthropic, Gemini, vLLM, Mistral and OpenRouter error shapes."""
    if not isinstance(data, dict):
        return ErrorInfo(frozenset(), "", "")
    error = data.get("error")
    if isinstance(error, str):  # {"error": "message"} (some gateways)
        return ErrorInfo(frozenset(), "", error)
    body = error if isinstance(error, dict) else data  # vLLM/Mistral put the fields at the top
    # Most specific first: a detail reason beats a code, a code beats a type.
    found = [*_detail_reasons(body), body.get("code"), body.get("type"), body.get("status")]
    labels = [str(v) for v in found if isinstance(v, str) and v and not v.isdigit()]
    text = body.get("message") or body.get("detail") or ""
    return ErrorInfo(frozenset(label.lower() for label in labels), labels[0] if labels else "", str(text))


def _detail_reasons(body: dict[str, Any]) -> list[Any]:
    details = body.get("details")
    reasons: list[Any] = []
    if isinstance(details, dict):  # Anthropic: {"details": {"error_code": ...}}
        reasons.append(details.get("error_code"))
    elif isinstance(details, list):  # Gemini: [{"reason": ...}, {"violations": [{"quotaId": ...}]}]
        for item in details:
            if isinstance(item, dict):
                reasons.append(item.get("reason"))
    return reasons


def _quota_windows(data: Any) -> set[str]:
    """Gemini's quota windows, e.g. {"PerDay"}: it says RESOURCE_EXHAUSTED for throttling and spent quota."""
    error = data.get("error") if isinstance(data, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    windows = set()
    for item in details if isinstance(details, list) else ():
        for violation in item.get("violations", ()) if isinstance(item, dict) else ():
            quota_id = str(violation.get("quotaId", "")) if isinstance(violation, dict) else ""
            windows.update(w for w in ("PerMinute", "PerDay") if w in quota_id)
    return windows


def _spent_quota(status: int, info: ErrorInfo, data: Any) -> bool:
    if status == 402 or info.tags & _QUOTA_TAGS:
        return True
    windows = _quota_windows(data)
    if windows:
        return "PerDay" in windows
    return status < 500 and bool(_QUOTA_WORDS.search(info.text))


def classify_response(status: int, headers: Mapping[str, str], body: bytes) -> Verdict:
    """A non-2xx response, from its status, headers and (possibly capped) body. The rules, in order
    (reference/ai-providers.md §2, §6):

        52x, or a non-JSON 5xx/403 from Cloudflare    -> cdn_error
        402, a quota/billing code, or quota wording   -> quota_exhausted  (Gemini: per-day quotas only)
        429                                          -> rate_limited
        401, 403, Gemini 400 API_KEY_INVALID         -> auth_error
        408                                          -> timeout_ttft     (the server gave up waiting)
        other 4xx, 3xx                               -> client_error
        503, 529, Groq 498, an "overloaded" body     -> overloaded
        other 5xx with an HTML page                  -> cdn_error        (a proxy spoke, not the API)
        other 5xx                                    -> server_error
    """
    headers = httpx.Headers(headers)  # case-insensitive, whatever we were given
    data = _json_or_none(body)
    info = error_info(data)
    html = data is None and _looks_html(headers, body)
    cloudflare = "cf-ray" in headers or headers.get("server", "").lower() == "cloudflare"
    message = _message(status, info, body, html)
    cdn_page = cloudflare and data is None and (status >= 500 or status == 403)  # incl. challenge pages

    if (520 <= status <= 530 and status != 529) or cdn_page:
        outcome = Outcome.CDN_ERROR
    elif _spent_quota(status, info, data):
        outcome = Outcome.QUOTA_EXHAUSTED
    elif status == 429:
        outcome = Outcome.RATE_LIMITED
    elif status in (401, 403) or (status < 500 and info.tags & _AUTH_TAGS):
        outcome = Outcome.AUTH_ERROR
    elif status == 408:
        outcome = Outcome.TIMEOUT_TTFT
    elif status < 500 and status not in _OVERLOAD_STATUSES:
        outcome = Outcome.CLIENT_ERROR
    elif status in _OVERLOAD_STATUSES or info.tags & _OVERLOAD_TAGS or _OVERLOAD_WORDS.search(info.text):
        outcome = Outcome.OVERLOADED
    elif html or any(tag.startswith("cf_") for tag in info.tags):
        outcome = Outcome.CDN_ERROR
    else:
        outcome = Outcome.SERVER_ERROR
    return Verdict(outcome, info.label or (f"http_{status}" if not html else "html_page"), message)


def classify_error_payload(data: Any) -> Verdict:
    """An error object delivered inside a 2xx (Anthropic `event: error`, OpenRouter, OpenAI mid-stream)."""
    info = error_info(data)
    return Verdict(Outcome.STREAM_ERROR_EVENT, info.label or "error", info.text or "error payload in a 2xx")


def has_error_payload(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return isinstance(data.get("error"), dict | str) or "error" in (data.get("type"), data.get("object"))


def classify_exception(exc: BaseException, *, got_headers: bool) -> Verdict:
    """A transport exception; `got_headers` tells a dropped stream from a refused request."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return Verdict(Outcome.TIMEOUT_CONNECT, "ConnectTimeout", text)
    if isinstance(exc, httpx.ConnectError):
        return Verdict(Outcome.CONNECT_ERROR, connect_failure(exc), text)
    if isinstance(exc, httpx.TimeoutException):
        return Verdict(Outcome.TIMEOUT_TTFT, type(exc).__name__, text)
    if got_headers and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return Verdict(Outcome.STREAM_TRUNCATED, type(exc).__name__, text)
    if isinstance(exc, httpx.DecodingError):
        return Verdict(Outcome.MALFORMED, "DecodingError", text)
    if isinstance(exc, httpx.RemoteProtocolError):  # not HTTP at all, or broken headers
        return Verdict(Outcome.MALFORMED, "RemoteProtocolError", text)
    if isinstance(exc, httpx.NetworkError):  # reset or closed before any response
        return Verdict(Outcome.CONNECT_ERROR, connect_failure(exc), text)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.TooManyRedirects):
        return Verdict(Outcome.CLIENT_ERROR, type(exc).__name__, text)
    return Verdict(Outcome.CONNECT_ERROR, type(exc).__name__, text)


def connect_failure(exc: BaseException) -> str:
    """Which connection step failed, from the OS-level cause somewhere in the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or "Name or service not known" in str(current):
            return "dns_error"
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return "tls_error"
        if isinstance(current, ConnectionRefusedError):
            return "connection_refused"
        if isinstance(current, ConnectionResetError):
            return "connection_reset"
        current = current.__cause__ or current.__context__
    return type(exc).__name__


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _looks_html(headers: Mapping[str, str], body: bytes) -> bool:
    return "html" in headers.get("content-type", "").lower() or body.lstrip()[:1] == b"<"


def _message(status: int, info: ErrorInfo, body: bytes, html: bool) -> str:
    if info.text:
        return f"HTTP {status}: {info.text}"
    if html:
        title = _TITLE.search(body)
        return f"HTTP {status} HTML page" + (f": {title.group(1).decode(errors='replace')}" if title else "")
    excerpt = body[:200].decode(errors="replace").strip()
    return f"HTTP {status}: {excerpt}" if excerpt else f"HTTP {status} with an empty body"
