"""docker-compose.yml is safe to run in production: client addresses, mail, health, pinned images."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from statuspage.subscriptions.throttle import client_ip

# PyYAML is not a project dependency yet; without it these checks skip rather than fail to collect.
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "deliveries", "beat")
PASSED_THROUGH = (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "OPERATOR_EMAILS",
    "WEBHOOK_TIMEOUT",
    "LOG_LEVEL",
    "HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
)


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def nginx_config(services: dict) -> str:
    """The nginx config the proxy service mounts, read from the checkout."""
    [mounted] = [
        v.split(":")[0] for v in services["proxy"]["volumes"] if v.endswith("/conf.d/default.conf:ro")
    ]
    return (ROOT / mounted).read_text()


def header_name(meta_key: str) -> str:
    """HTTP_X_REAL_IP -> X-Real-IP's lower-case form, as nginx config names it."""
    assert meta_key.startswith("HTTP_"), f"{meta_key} is not a request header's META key"
    return meta_key.removeprefix("HTTP_").replace("_", "-").lower()


def test_web_trusts_the_client_address_header_nginx_overwrites(services):
    env = services["web"]["environment"]
    header = header_name(env["SUBSCRIBE_CLIENT_IP_HEADER"])
    settings_of_header = re.findall(
        rf"(?im)^\s*proxy_set_header\s+{re.escape(header)}\s+(\S+);", nginx_config(services)
    )
    # Exactly one, and the connecting address itself: $proxy_add_x_forwarded_for would append to
    # whatever the client sent, letting it choose the address it is counted as.
    assert settings_of_header == ["$remote_addr"]
    assert env["BEHIND_PROXY"] == "true"


def test_a_spoofed_forwarded_for_does_not_move_the_counted_address(services, settings):
    settings.SUBSCRIBE_CLIENT_IP_HEADER = services["web"]["environment"]["SUBSCRIBE_CLIENT_IP_HEADER"]
    # What the app receives from nginx: X-Real-IP overwritten, X-Forwarded-For with the client's lie first.
    request = RequestFactory().post(
        "/",
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_REAL_IP="203.0.113.7",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize("service", APP_SERVICES)
@pytest.mark.parametrize("name", PASSED_THROUGH)
def test_settings_pass_through_from_the_host_environment(services, service, name):
    assert re.fullmatch(rf"\$\{{{name}(:-[^}}]*)?\}}", str(services[service]["environment"][name]))


def test_mail_goes_to_the_catcher_unless_configured(services):
    env = services["web"]["environment"]
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("${EMAIL_HOST:-smtp}", "${EMAIL_PORT:-1025}")
    assert "smtp" in services


def test_every_app_setting_in_compose_is_documented():
    readme = (ROOT / "README.md").read_text()
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]["environment"]
    # Provider keys are documented as a kind ("provider key variables"), not one by one.
    undocumented = [n for n in env if not n.endswith("_API_KEY") and f"`{n}`" not in readme]
    assert undocumented == []


def test_the_mail_catcher_ui_is_loopback_only_and_its_image_pinned(services):
    smtp = services["smtp"]
    assert all(port.startswith("127.0.0.1:") for port in smtp["ports"])
    assert re.fullmatch(r"axllent/mailpit:v\d+\.\d+\.\d+", smtp["image"])


def test_the_proxy_waits_for_a_healthy_web_and_the_worker_is_health_checked(services):
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "/api/v2/status.json" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["deliveries"]["healthcheck"]["test"])


def test_deliveries_have_workers_of_their_own_and_redis_keeps_its_queues_on_disk(services, settings):
    probes, deliveries = services["worker"]["command"], services["deliveries"]["command"]
    assert settings.DELIVERY_QUEUE == "deliveries"
    assert deliveries[deliveries.index("-Q") + 1] == "deliveries"
    assert "deliveries" not in probes[probes.index("-Q") + 1].split(",")
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes"
    assert redis[redis.index("--appendfsync") + 1] == "everysec"
