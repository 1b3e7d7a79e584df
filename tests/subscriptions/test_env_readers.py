"""The env readers the subscription settings use refuse junk with one clear line."""

import pytest

from statuspage.lib.env import ConfigError, env_emails, env_rate, env_urls


@pytest.mark.parametrize("value", ["5/h", "20/10m", "1/s", "100/d", "3/2h"])
def test_env_rate_accepts_what_django_ratelimit_reads(monkeypatch, value):
    monkeypatch.setenv("SUBSCRIBE_RATE_PER_CLIENT", value)
    assert env_rate("SUBSCRIBE_RATE_PER_CLIENT", "20/h") == value


@pytest.mark.parametrize("value", ["5", "5/hour", "0/h", "-1/h", "5/0m", "five/h", "5/h;drop"])
def test_env_rate_refuses_junk(monkeypatch, value):
    monkeypatch.setenv("SUBSCRIBE_RATE_PER_CLIENT", value)
    with pytest.raises(ConfigError, match="is not a rate; use count/period such as 5/h or 20/10m"):
        env_rate("SUBSCRIBE_RATE_PER_CLIENT", "20/h")


def test_env_emails_reads_a_list_and_refuses_a_non_address(monkeypatch):
    monkeypatch.setenv("OPERATOR_EMAILS", "ops@example.com, oncall@example.com")
    assert env_emails("OPERATOR_EMAILS", "") == ["ops@example.com", "oncall@example.com"]

    monkeypatch.setenv("OPERATOR_EMAILS", "ops@example.com,not-an-address")
    with pytest.raises(
        ConfigError, match="OPERATOR_EMAILS has 'not-an-address', which is not an email address"
    ):
        env_emails("OPERATOR_EMAILS", "")


def test_env_urls_reads_space_separated_apprise_urls_keeping_their_commas(monkeypatch):
    monkeypatch.setenv(
        "OPERATOR_NOTIFY_URLS", "ntfy://ntfy.sh/ops  mailto://u:p@example.com?to=a@x.org,b@x.org"
    )
    assert env_urls("OPERATOR_NOTIFY_URLS", "") == [
        "ntfy://ntfy.sh/ops",
        "mailto://u:p@example.com?to=a@x.org,b@x.org",
    ]


def test_env_urls_refuses_an_entry_without_a_scheme_without_echoing_it(monkeypatch):
    monkeypatch.setenv("OPERATOR_NOTIFY_URLS", "slack://T/B/C hooks.slack.com/services/T/B/s3cret")
    with pytest.raises(ConfigError, match="OPERATOR_NOTIFY_URLS has an entry that is not a URL") as raised:
        env_urls("OPERATOR_NOTIFY_URLS", "")
    assert "s3cret" not in str(raised.value)
