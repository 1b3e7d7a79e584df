"""Real servers for notification tests: an aiosmtpd SMTP server and an HTTP webhook receiver; personas."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from aiosmtpd.controller import Controller
from django.utils import timezone

from statuspage.components.models import Component
from statuspage.incidents import services as incidents
from statuspage.incidents.drafts import IncidentDraft
from statuspage.incidents.models import Incident, IncidentUpdate
from statuspage.subscriptions.models import Subscriber
from tests.chatapps import chat_apps  # noqa: F401 - a fixture

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message and answers as a test tells it to."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.connections = 0
        # address -> SMTP reply for RCPT TO (e.g. "550 5.1.1 no such user"); absent means accept.
        self.refuse: dict[str, str] = {}
        self.delay = 0.0  # seconds per accepted message, to make a fan-out last long enough to interrupt
        # Addresses whose first message is kept and then never acknowledged: the reply is held until
        # the server stops. `stalling` counts the replies being held.
        self.stall: set[str] = set()
        self.stalling = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        if self.stall & set(envelope.rcpt_tos):
            self.stall -= set(envelope.rcpt_tos)
            self.stalling += 1
            await asyncio.Event().wait()  # cancelled by stop()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox = field(default_factory=Mailbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A real SMTP server on a free port; settings point at it."""
    server = SmtpServer(port=free_port())
    server.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


@dataclass
class Queue:
    """The delivery queue of one test on the shared Redis, and what is in it."""

    name: str
    broker: redis.Redis

    def tasks(self) -> list[str]:
        return [json.loads(m)["headers"]["task"] for m in self.broker.lrange(self.name, 0, -1)]


@pytest.fixture
def delivery_queue(settings) -> Iterator[Queue]:
    """Doorbells of this test go to a queue of its own, forgotten afterwards (with kombu's bookkeeping
    of it: bindings, and messages a SIGKILLed worker never acked, which would otherwise come back)."""
    settings.DELIVERY_QUEUE = f"test-deliveries-{uuid.uuid4().hex}"
    queue = Queue(settings.DELIVERY_QUEUE, redis.Redis.from_url(settings.REDIS_URL))
    yield queue
    broker = queue.broker
    broker.delete(queue.name, f"_kombu.binding.{queue.name}", f"_kombu.binding_permanent.{queue.name}")
    for tag, raw in broker.hgetall("unacked").items():
        if json.loads(raw)[2] == queue.name:  # kombu stores [message, exchange, routing key]
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


@pytest.fixture(autouse=True)
def _isolated_throttles(settings) -> None:
    # Several test runs share one Redis: each test counts in its own namespace.
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"


@pytest.fixture
def operator(client, django_user_model):
    """A logged-in admin client (a superuser without a password: nothing to hash)."""
    user = django_user_model.objects.create_superuser("olga", "olga@example.com", None)
    client.force_login(user)
    return client


@pytest.fixture
def components(make_component) -> dict[str, Component]:
    return {name: make_component(name) for name in ("Chat", "Embeddings", "Images")}


@pytest.fixture
def make_subscriber(db) -> Callable[..., Subscriber]:
    def make(email: str = "", *, components=None, confirmed: bool = True, **fields) -> Subscriber:
        subscriber = Subscriber.objects.create(
            email=email or f"s{uuid.uuid4().hex[:8]}@example.com",
            all_components=components is None,
            confirmed_at=timezone.now() if confirmed else None,
            **fields,
        )
        subscriber.components.set(components or [])
        return subscriber

    return make


@pytest.fixture
def publish() -> Callable[..., IncidentUpdate]:
    """An operator (or automation) opening an incident on some components: its first update."""

    def open_incident(
        *affected: Component, name: str = "Elevated errors", notify: bool = True, **kwargs
    ) -> IncidentUpdate:
        draft = IncidentDraft(
            name=name, impact="major", body="We are looking into elevated error rates.",
            component_statuses={c: "partial_outage" for c in affected}, **kwargs,
        )  # fmt: skip
        incident: Incident = incidents.open_incident(draft, notify=notify)
        return incident.updates.get()

    return open_incident


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class WebhookReceiver:
    """A real HTTP server recording every POST and answering with `status`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/status"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()
