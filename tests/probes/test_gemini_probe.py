"""The Gemini probe gives the right outcome for every way the fake provider can fail."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from monitors.probes.base import Observation
from probes.kit import FAULT_CASES, KEY, RawServer, chat_spec, fault_matrix, make_spec, probe
from tests.fakefleet import FakeFleet


@pytest.fixture(scope="module")
def results(fleet: FakeFleet) -> dict[tuple[str, bool], Observation]:
    return fault_matrix(fleet, "gemini-sim", FAULT_CASES, expect_text="pong", max_tokens=5)


@pytest.mark.parametrize(("fault", "stream", "expected"), FAULT_CASES, ids=lambda v: str(v))
def test_fault_gives_outcome(results, fault: str, stream: bool, expected: O) -> None:
    obs = results[fault, stream]
    assert obs.outcome == expected, obs.message


def test_bad_key_is_a_400_that_means_auth(results) -> None:
    obs = results["auth", False]
    assert (obs.http_status, obs.error_type) == (400, "API_KEY_INVALID")


def test_per_minute_exhaustion_is_throttling_per_day_is_quota(results) -> None:
    assert results["rate_limited", False].error_type == "RESOURCE_EXHAUSTED"
    assert results["rate_limited", False].outcome == O.RATE_LIMITED
    assert results["quota", False].outcome == O.QUOTA_EXHAUSTED


def test_stream_without_sentinel_ends_at_eof_after_finish_reason(fleet: FakeFleet) -> None:
    obs = probe(chat_spec(fleet, "gemini-sim", stream=True, max_tokens=6))
    assert (obs.outcome, obs.tokens_out, obs.tokens_estimated) == (O.OK, 6, False)


def test_key_goes_in_a_header_never_the_url(raw_server) -> None:
    def answer(conn) -> None:
        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}")

    server: RawServer = raw_server(answer)
    probe(make_spec(kind="gemini", url=server.url + "/v1beta", model="gemini-2.5-flash", api_key=KEY))
    request_line, _, rest = server.requests[0].partition(b"\r\n")
    assert KEY.encode() not in request_line
    assert b"x-goog-api-key: " + KEY.encode() in rest.lower()
