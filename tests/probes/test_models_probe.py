"""Model-list probes read all three list shapes and find (or miss) the model they expect."""

from __future__ import annotations

import pytest

from monitors.outcomes import Outcome as O
from probes.kit import KEY, make_spec, probe, probe_all
from tests.fakefleet import FakeFleet

FLAVOURS = [("openai-sim", "openai"), ("anthropic-sim", "anthropic"), ("gemini-sim", "gemini")]


def models_spec(fleet: FakeFleet, provider: str, flavour: str, **fields):
    defaults = {"kind": "models", "url": fleet.api_base(provider), "api_key": KEY}
    return make_spec(**{**defaults, "options": {"flavour": flavour, **fields.pop("options", {})}, **fields})


@pytest.mark.parametrize(("provider", "flavour"), FLAVOURS)
def test_lists_the_expected_model(fleet: FakeFleet, provider: str, flavour: str) -> None:
    model = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5-20250929", "gemini": "gemini-2.5-pro"}[
        flavour
    ]
    obs = probe(models_spec(fleet, provider, flavour, model=model))
    assert obs.outcome == O.OK, obs.message
    assert obs.details["models"] >= 3


@pytest.mark.parametrize(("provider", "flavour"), FLAVOURS)
def test_missing_model_fails_the_content_check(fleet: FakeFleet, provider: str, flavour: str) -> None:
    obs = probe(models_spec(fleet, provider, flavour, options={"expect_model": "retired-model"}))
    assert obs.outcome == O.CONTENT_CHECK_FAILED
    assert obs.message.startswith("models (") and obs.message.endswith(' listed) contains "retired-model"')


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("auth", O.AUTH_ERROR),
        ("rate_limited", O.RATE_LIMITED),
        ("overloaded", O.OVERLOADED),
        ("server_error", O.SERVER_ERROR),
        ("empty", O.EMPTY_RESPONSE),
        ("huge", O.MALFORMED),
        ("malformed", O.MALFORMED),
        ("truncate", O.STREAM_TRUNCATED),
        ("stall", O.STREAM_STALLED),
        ("stream_error", O.STREAM_ERROR_EVENT),
        ("hang", O.TIMEOUT_TTFT),
        ("bad_gateway_html", O.CDN_ERROR),
    ],
)
def test_fault_gives_outcome(fleet: FakeFleet, fault: str, expected: O) -> None:
    obs = probe(models_spec(fleet, "openai-sim", "openai", timeout_s=1.5, headers={"X-Fake-Fault": fault}))
    assert obs.outcome == expected, obs.message


def test_wrong_key_is_auth_error(fleet: FakeFleet) -> None:
    obs = probe(models_spec(fleet, "anthropic-sim", "anthropic", api_key="sk-ant-wrong-key-0000"))
    assert (obs.outcome, obs.http_status) == (O.AUTH_ERROR, 401)


def test_unknown_flavour_is_our_misconfiguration(fleet: FakeFleet) -> None:
    obs = probe_all([models_spec(fleet, "openai-sim", "mistral")])[0]
    assert (obs.outcome, obs.error_type) == (O.CLIENT_ERROR, "bad_options")
