"""Webhooks: Statuspage's payload, Standard Webhooks signatures, and no private destinations, ever."""

import base64
import hashlib
import hmac
import socket
import threading
import time

import pytest

from statuspage.incidents import services as incidents
from statuspage.incidents.drafts import UpdateDraft
from statuspage.subscriptions import delivery, hooksign
from statuspage.subscriptions.models import Delivery


def send_webhooks() -> None:
    delivery.send_due("webhook", budget_s=10)


def incident_requests(receiver) -> list:
    """What the receiver got about incidents (an update changing a component also sends its own)."""
    return [r for r in receiver.requests if "incident" in r.json()]


@pytest.fixture
def loopback_allowed(settings):
    """The receiver lives on 127.0.0.1; only these tests relax the guard that refuses it."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True


@pytest.fixture
def hook(make_subscriber, receiver):
    return make_subscriber("ops@example.com", kind="webhook", webhook_url=receiver.url)


def test_payload_is_statuspages_incident_webhook(
    loopback_allowed, hook, receiver, components, publish, settings
):
    update = publish(components["Chat"], name="Elevated errors on Chat")

    send_webhooks()

    [request] = incident_requests(receiver)
    assert request.headers["content-type"] == "application/json"
    data = request.json()
    assert list(data) == ["meta", "page", "incident"]
    assert data["meta"]["unsubscribe"].startswith(f"{settings.SITE_URL}/subscriptions/unsubscribe/")
    assert data["meta"]["generated_at"].endswith("Z")
    assert data["page"]["status_indicator"] == "major"
    assert data["page"]["status_description"] == "Partial System Outage"
    incident = data["incident"]
    assert (incident["id"], incident["name"], incident["status"]) == (
        update.incident.public_id, "Elevated errors on Chat", "investigating",
    )  # fmt: skip
    assert incident["shortlink"] == f"{settings.SITE_URL}/incidents/{update.incident.public_id}"
    assert incident["scheduled_for"] is None and incident["backfilled"] is False
    assert incident["incident_updates"][0]["id"] == update.public_id
    assert incident["incident_updates"][0]["affected_components"][0]["new_status"] == "partial_outage"
    assert [c["name"] for c in incident["components"]] == ["Chat"]
    assert Delivery.objects.get(purpose="update").state == "sent"


def test_each_payload_is_as_of_its_own_update(loopback_allowed, hook, receiver, components, publish):
    first = publish(components["Chat"])
    incidents.post_update(first.incident, UpdateDraft(status="resolved", body="Fixed."))
    receiver.requests.clear()
    Delivery.objects.filter(update=first).update(state="pending")  # a late retry of the first update

    send_webhooks()

    by_update = {
        r.json()["incident"]["incident_updates"][0]["id"]: r.json() for r in incident_requests(receiver)
    }
    assert by_update[first.public_id]["incident"]["status"] == "investigating"
    assert len(by_update[first.public_id]["incident"]["incident_updates"]) == 1


def test_requests_are_signed_over_id_timestamp_and_body(
    loopback_allowed, hook, receiver, components, publish
):
    update = publish(components["Chat"])

    send_webhooks()

    [request] = incident_requests(receiver)
    secret = hooksign.secret(hook.public_id)  # as the manage page shows it
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    webhook_id, timestamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    signed = f"{webhook_id}.{timestamp}.".encode() + request.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == expected
    assert webhook_id == f"update.{update.public_id}.{hook.public_id}"
    assert abs(int(timestamp) - time.time()) < 60
    assert hooksign.verify(secret, webhook_id, timestamp, request.body, request.headers["webhook-signature"])
    assert not hooksign.verify(
        secret, webhook_id, timestamp, request.body + b" ", request.headers["webhook-signature"]
    )


def test_each_subscriber_has_its_own_secret(make_subscriber):
    a, b = make_subscriber(), make_subscriber()
    assert hooksign.secret(a.public_id) != hooksign.secret(b.public_id)


@pytest.mark.parametrize(
    ("status", "state"), [(500, "pending"), (302, "pending"), (404, "pending"), (410, "dead")]
)
def test_a_non_2xx_answer_is_a_failure_and_only_410_is_final(
    loopback_allowed, hook, receiver, components, publish, status, state
):
    receiver.status = status
    publish(components["Chat"])

    send_webhooks()

    row = Delivery.objects.get(purpose="update")
    assert (row.state, row.attempts) == (state, 1)
    assert f"answered {status}" in row.last_error


def test_a_webhook_that_does_not_answer_in_time_is_retried(
    loopback_allowed, hook, components, publish, settings
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection, never answers
    hook.webhook_url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
    hook.save()
    settings.WEBHOOK_TIMEOUT = 0.3
    publish(components["Chat"])
    try:
        send_webhooks()
    finally:
        silent.close()

    row = Delivery.objects.get(purpose="update")
    assert row.state == "pending" and "did not answer within 0.3 s" in row.last_error


@pytest.mark.faults
def test_a_receiver_trickling_its_reply_gets_one_deadline_for_the_whole_request(
    loopback_allowed, hook, components, publish, settings
):
    trickler = socket.socket()
    trickler.bind(("127.0.0.1", 0))
    trickler.listen()
    stop = threading.Event()

    def trickle() -> None:  # a header byte every 0.2 s: each read is quick, the reply never ends
        conn, _ = trickler.accept()
        with conn:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                if stop.wait(0.2):
                    return
                conn.sendall(bytes([byte]))

    threading.Thread(target=trickle, daemon=True).start()
    hook.webhook_url = f"http://127.0.0.1:{trickler.getsockname()[1]}/hook"
    hook.save()
    settings.WEBHOOK_TIMEOUT = 1
    publish(components["Chat"])
    started = time.monotonic()
    try:
        send_webhooks()
    finally:
        stop.set()
        trickler.close()

    row = Delivery.objects.get(purpose="update")
    assert row.state == "pending" and "did not answer within 1 s" in row.last_error
    assert time.monotonic() - started < 1 + 3  # not the 200 s of trickling: one deadline, not per read


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://[::127.0.0.1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "http://[64:ff9b:1::808:808]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[2002:a9fe:a9fe::]/hook",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
    ],
)
def test_private_loopback_and_link_local_destinations_are_refused_at_send_time(
    make_subscriber, components, publish, receiver, url
):
    # Strict, as in production: this row got in while its name resolved elsewhere.
    make_subscriber(kind="webhook", webhook_url=url)
    publish(components["Chat"])

    send_webhooks()

    row = Delivery.objects.get(purpose="update")
    assert row.state == "dead" and row.last_error.startswith("destination refused:")
    assert receiver.requests == []


def test_dns_rebinding_to_a_private_address_is_refused_at_send_time(
    make_subscriber, components, publish, receiver, monkeypatch
):
    make_subscriber(
        kind="webhook", webhook_url=f"http://hooks.example.test:{receiver.server.server_port}/status"
    )
    publish(components["Chat"])
    # The name now answers with loopback (it answered a public address when the subscriber signed up).
    monkeypatch.setattr(socket, "getaddrinfo", _resolver({"hooks.example.test": "127.0.0.1"}))

    send_webhooks()

    assert Delivery.objects.get(purpose="update").last_error == (
        "destination refused: hooks.example.test resolves to 127.0.0.1, a private or reserved address"
    )
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(
    loopback_allowed, make_subscriber, publish, receiver, monkeypatch
):
    port = receiver.server.server_port
    make_subscriber(kind="webhook", webhook_url=f"http://hooks.example.test:{port}/status")
    publish()  # on no component: one delivery, so one lookup
    lookups = []
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        lookups.append(host)
        return (
            _resolver({"hooks.example.test": "127.0.0.1"})(host, *args, **kwargs)
            if host == "hooks.example.test"
            else real(host, *args, **kwargs)
        )

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    send_webhooks()

    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.test:{port}"
    assert lookups.count("hooks.example.test") == 1  # no second lookup an attacker could answer differently


def _resolver(table: dict[str, str]):
    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    return getaddrinfo
