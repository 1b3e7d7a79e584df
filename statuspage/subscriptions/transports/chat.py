"""Chat apps: each update in the subscriber's app's own format, POSTed to its official webhook at its pace."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache

import certifi
import httpx
from django.conf import settings

from statuspage.subscriptions import chat, destinations, services
from statuspage.subscriptions.chat import hosts
from statuspage.subscriptions.chat.notice import Notices
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed

# A turn further off than this is not waited for in the batch: the row is retried when it comes.
MAX_WAIT_S = 2.0
ANSWER_READ = 2048  # enough of an error answer to say why; nothing more is read
GONE = (404, 410)  # the webhook was deleted, or its channel archived


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    text: str


class ChatSession:
    def __init__(self, clients: ExitStack) -> None:
        self._stack = clients
        self._clients: dict[str, httpx.Client] = {}
        self._notices = Notices()
        self._not_before: dict[str, float] = {}  # webhook URL -> when it may be posted to again
        self.timeout = settings.WEBHOOK_TIMEOUT

    def send(self, delivery: Delivery) -> None:
        if delivery.purpose != Delivery.Purpose.UPDATE:
            raise DeliveryFailed("chat apps carry incident updates only", permanent=True)
        subscriber = delivery.subscriber
        if subscriber.ended_at is not None:
            raise DeliveryFailed(f"the subscription ended: {subscriber.ended_reason}", permanent=True)
        url = subscriber.webhook_url
        try:
            app = hosts.app_for(url)  # the allowlist again: a row edited in admin gets no further
            # Resolved now and connected to that very address, as for webhooks (DNS rebinding).
            destination = destinations.check(url)
        except destinations.RefusedDestination as exc:
            raise DeliveryFailed(f"destination refused: {exc}", permanent=True) from None
        notice = self._notices.for_subscriber(delivery.update, subscriber)
        body = json.dumps(chat.get(app).payload(notice), separators=(",", ":"), ensure_ascii=False).encode()
        self._wait_for_turn(url)
        answer = self._post(destination, body)
        self._pace(app, url, answer)
        if 200 <= answer.status < 300:
            return
        said = f"{destination.host} answered {answer.status} {answer.text[:200]}".strip()
        if answer.status in GONE:
            services.end(
                subscriber, reason=f"{subscriber.get_chat_app_display()} said the webhook is gone ({said})"
            )
            raise DeliveryFailed(said, permanent=True)
        if answer.status == 429:
            raise DeliveryFailed(said, retry_after=self._not_before[url] - time.monotonic())
        # Another 4xx is our message or our access refused: sending it again cannot help.
        raise DeliveryFailed(said, permanent=400 <= answer.status < 500)

    def _wait_for_turn(self, url: str) -> None:
        wait = self._not_before.get(url, 0.0) - time.monotonic()
        if wait > MAX_WAIT_S:
            raise DeliveryFailed(f"rate limited by the app for {wait:.1f} s more", retry_after=wait)
        if wait > 0:
            time.sleep(wait)

    def _pace(self, app: str, url: str, answer: Answer) -> None:
        """When this webhook may be posted to next: the app's documented pace, or what it just said."""
        pause = chat.get(app).MIN_INTERVAL_S
        if answer.status == 429:
            pause = max(pause, _retry_after(answer))
        elif answer.headers.get("x-ratelimit-remaining") == "0":  # Discord's bucket is empty
            pause = max(pause, _seconds(answer.headers.get("x-ratelimit-reset-after")))
        self._not_before[url] = time.monotonic() + pause

    def _post(self, destination: destinations.Destination, body: bytes) -> Answer:
        url = httpx.URL(destination.url)
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"statuspage-chat (+{settings.SITE_URL})",
        }
        extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
        try:
            with self._client(destination.host).stream(
                "POST", url.copy_with(host=destination.address), content=body, headers=headers,
                extensions=extensions,
            ) as response:  # fmt: skip
                text = b""
                for chunk in response.iter_bytes():
                    text += chunk
                    if len(text) >= ANSWER_READ:
                        break
                return Answer(
                    response.status_code, response.headers, text[:ANSWER_READ].decode("utf-8", "replace")
                )
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{destination.host} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{destination.host}: {type(exc).__name__}: {exc}") from None

    def _client(self, host: str) -> httpx.Client:
        """One keep-alive client per host name: a batch to one app reuses its connection, and two names
        that share an address never share a TLS session."""
        if host not in self._clients:
            self._clients[host] = self._stack.enter_context(
                httpx.Client(verify=_tls(), timeout=self.timeout, follow_redirects=False, trust_env=False)
            )
        return self._clients[host]


@cache
def _tls() -> ssl.SSLContext:
    """Made once per process: loading the CA bundle takes ~80 ms, as long as dozens of messages."""
    return ssl.create_default_context(cafile=certifi.where())


def _retry_after(answer: Answer) -> float:
    """Retry-After in seconds (Slack, Teams), or Discord's JSON `retry_after`; a second if neither says."""
    if "retry-after" in answer.headers:
        return _seconds(answer.headers["retry-after"]) or 1.0
    try:
        return float(json.loads(answer.text)["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


@contextmanager
def session() -> Iterator[ChatSession]:
    with ExitStack() as clients:
        yield ChatSession(clients)
