"""Webhooks: the Statuspage incident payload, signed, POSTed to the resolved public address only."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from statuspage.api import v2
from statuspage.lib.timefmt import iso_ms
from statuspage.subscriptions import destinations, hooksign, tokens
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed


class WebhookSession:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        self._page_status: dict[str, str] | None = None
        self.timeout = settings.WEBHOOK_TIMEOUT

    def send(self, delivery: Delivery) -> None:
        if delivery.purpose != Delivery.Purpose.UPDATE:
            raise DeliveryFailed("webhooks carry incident updates only", permanent=True)
        subscriber = delivery.subscriber
        try:
            # Resolved again now, and connected to that very address: a name re-pointed at a private
            # address since subscribing (DNS rebinding) is refused here.
            destination = destinations.check(subscriber.webhook_url)
        except destinations.RefusedDestination as exc:
            raise DeliveryFailed(f"destination refused: {exc}", permanent=True) from None
        body = json.dumps(self.payload(delivery), separators=(",", ":")).encode()
        url = httpx.URL(destination.url)
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": f"statuspage-webhooks (+{settings.SITE_URL})",
            **hooksign.headers(subscriber.public_id, delivery.key, int(time.time()), body),
        }
        extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
        try:
            with self._client.stream(
                "POST", url.copy_with(host=destination.address), content=body, headers=headers,
                extensions=extensions,
            ) as response:  # fmt: skip
                status = response.status_code  # the body is never read: a receiver cannot make us buffer
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{destination.host} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{destination.host}: {type(exc).__name__}: {exc}") from None
        if not 200 <= status < 300:
            note = " (redirects are not followed)" if 300 <= status < 400 else ""
            raise DeliveryFailed(f"{destination.host} answered {status}{note}", permanent=status == 410)

    def payload(self, delivery: Delivery) -> dict[str, Any]:
        """Statuspage's incident webhook (reference §2), as of the update being delivered."""
        update, subscriber = delivery.update, delivery.subscriber
        incident = v2.incident(update.incident)
        updates = incident["incident_updates"]  # newest first; receivers read [0] as "this update"
        position = next((i for i, u in enumerate(updates) if u["id"] == update.public_id), 0)
        incident |= {"status": update.status, "incident_updates": updates[position:]}
        for key in ("scheduled_for", "scheduled_until"):
            incident.setdefault(key, None)
        incident |= {
            "backfilled": False,
            "impact_override": None,
            "postmortem_body": update.incident.postmortem_body or None,
            "postmortem_published_at": iso_ms(update.incident.postmortem_published_at),
        }
        if self._page_status is None:
            self._page_status = v2.summary()["status"]
        return {
            "meta": {
                "unsubscribe": tokens.link(tokens.Purpose.UNSUBSCRIBE, subscriber.public_id),
                "documentation": f"{settings.SITE_URL}/subscribe#webhooks",
                "generated_at": iso_ms(timezone.now()),
            },
            "page": {
                "id": v2.PAGE_ID,
                "status_indicator": self._page_status["indicator"],
                "status_description": self._page_status["description"],
            },
            "incident": incident,
        }


@contextmanager
def session() -> Iterator[WebhookSession]:
    # No keep-alive: connections are keyed by address, and two hosts sharing one must not share TLS.
    # No proxies from the environment: we connect to the checked address and nowhere else.
    with httpx.Client(
        timeout=settings.WEBHOOK_TIMEOUT, follow_redirects=False, trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:  # fmt: skip
        yield WebhookSession(client)
