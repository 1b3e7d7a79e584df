"""Pure pieces: behaviour parsing, per-request plans, generated text."""

from __future__ import annotations

import random

import pytest

from monitors.fakeprovider import text
from monitors.fakeprovider.faults import BadSetting, Behaviour, Fault, resolve


def test_behaviour_merges_onto_a_base() -> None:
    base = Behaviour(fault=Fault.STALL, latency_ms=10)
    merged = Behaviour.from_json({"error_rate": 0.5}, base)
    assert (merged.fault, merged.latency_ms, merged.error_rate) == (Fault.STALL, 10, 0.5)
    assert Behaviour.from_json({"error_rate": 0.5}).fault is Fault.OK


def test_headers_win_over_the_standing_behaviour() -> None:
    standing = Behaviour(fault=Fault.OVERLOADED, ttft_ms=500)
    headers = {"X-Fake-Fault": "ok", "X-Fake-TTFT-Ms": "20", "X-Fake-Latency-Ms": "10", "X-Fake-Tokens": "7"}
    plan = resolve(standing, random.Random(0), headers, now=100.0, beat_s=1.0)
    assert plan.fault is Fault.OK
    assert plan.headers_at == pytest.approx(100.010) and plan.first_token_at == pytest.approx(100.030)
    assert plan.tokens == 7


def test_zero_error_rate_never_faults() -> None:
    standing = Behaviour(fault=Fault.SERVER_ERROR, error_rate=0.0)
    assert {resolve(standing, random.Random(1), {}, 0.0, 1.0).fault for _ in range(50)} == {Fault.OK}


@pytest.mark.parametrize(
    "headers", [{"X-Fake-TTFT-Ms": "soon"}, {"X-Fake-Tokens": "-1"}, {"X-Fake-Fault": "x"}]
)
def test_bad_headers_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(BadSetting):
        resolve(Behaviour(), random.Random(0), headers, 0.0, 1.0)


def test_reply_is_deterministic_and_honours_limits() -> None:
    assert text.reply(1, None).text == "pong"
    assert text.reply(3, None) == text.reply(3, None)
    assert not text.reply(3, None).finished and text.reply(None, None).finished
    assert text.reply(1, 20).tokens == 20 and len(text.reply(1, 20).pieces) == 20
    assert "pong" not in text.reply(5, None, wrong=True).text
