"""Webhooks: Statuspage's incident and component payloads, signed, POSTed to a checked public address."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from statuspage.components.models import ComponentStatusChange
from statuspage.incidents.models import IncidentUpdate
from statuspage.lib.timefmt import iso_ms
from statuspage.readmodel import v2
from statuspage.subscriptions import destinations, hooksign, tokens
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed

CARRIED = {Delivery.Purpose.UPDATE, Delivery.Purpose.COMPONENT}


class WebhookSession:
    """Sends each request under one deadline, WEBHOOK_TIMEOUT for the whole exchange: httpx's own
    timeouts are per read, so a receiver trickling its headers a byte at a time held a send for ever.
    The session's private event loop runs each request inside `asyncio.timeout`."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client, self._loop = client, loop
        self._summary: dict[str, Any] | None = None
        self._about: dict[tuple[str, int], dict[str, Any]] = {}  # what a delivery is about, per target
        self.timeout = settings.WEBHOOK_TIMEOUT

    def send(self, delivery: Delivery) -> None:
        if delivery.purpose not in CARRIED:
            raise DeliveryFailed("webhooks carry incident updates and component changes only", permanent=True)
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
        post = self._post(url.copy_with(host=destination.address), body, headers, extensions)
        try:
            status = self._loop.run_until_complete(post)
        except (TimeoutError, httpx.TimeoutException):
            raise DeliveryFailed(f"{destination.host} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{destination.host}: {type(exc).__name__}: {exc}") from None
        if not 200 <= status < 300:
            note = " (redirects are not followed)" if 300 <= status < 400 else ""
            raise DeliveryFailed(f"{destination.host} answered {status}{note}", permanent=status == 410)

    async def _post(
        self, url: httpx.URL, body: bytes, headers: dict[str, str], extensions: dict[str, str]
    ) -> int:
        async with (
            asyncio.timeout(self.timeout),
            self._client.stream(
                "POST", url, content=body, headers=headers, extensions=extensions
            ) as response,
        ):
            return response.status_code  # the body is never read: a receiver cannot make us buffer

    def payload(self, delivery: Delivery) -> dict[str, Any]:
        """Statuspage's webhook (reference §2): `meta`, `page`, then what the delivery is about."""
        summary = self.summary()
        if delivery.purpose == Delivery.Purpose.COMPONENT:
            target = ("component", delivery.component_change_id)
            if target not in self._about:
                self._about[target] = component_payload(delivery.component_change, summary["components"])
        else:
            # Built once per update in a batch: its recipients differ only in `meta`.
            target = ("update", delivery.update_id)
            if target not in self._about:
                self._about[target] = {"incident": incident_as_of(delivery.update)}
        about = self._about[target]
        return {
            "meta": {
                "unsubscribe": tokens.link(tokens.Purpose.UNSUBSCRIBE, delivery.subscriber.public_id),
                "documentation": f"{settings.SITE_URL}/subscribe#webhooks",
                "generated_at": iso_ms(timezone.now()),
            },
            "page": {
                "id": v2.page_id(),
                "status_indicator": summary["status"]["indicator"],
                "status_description": summary["status"]["description"],
            },
            **about,
        }

    def summary(self) -> dict[str, Any]:
        """summary.json, read once per session: a batch shares the page status and component positions."""
        if self._summary is None:
            self._summary = v2.summary()
        return self._summary


def incident_as_of(update: IncidentUpdate) -> dict[str, Any]:
    """The incident as of the update being delivered."""
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
    return incident


def component_payload(change: ComponentStatusChange, listed: list[dict[str, Any]]) -> dict[str, Any]:
    """The status change, and the component as the API shows it but as of that change (a late retry
    must not contradict its own `new_status`).

    `listed` is summary.json's components, so `position` counts as the API's does (restarting inside
    each group); a component added since that was read falls back to its own position.
    """
    component = change.component
    shown = next((c for c in listed if c["id"] == component.public_id), None)
    return {
        "component_update": {
            "old_status": change.old_status,
            "new_status": change.new_status,
            "created_at": iso_ms(change.created_at),
            "component_type": "Component",
            "id": change.public_id,
            "component_id": component.public_id,
        },
        "component": (shown or v2.component(component, component.position)) | {"status": change.new_status},
    }


@contextmanager
def session() -> Iterator[WebhookSession]:
    # No keep-alive: connections are keyed by address, and two hosts sharing one must not share TLS.
    # No proxies from the environment: we connect to the checked address and nowhere else.
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(
        timeout=settings.WEBHOOK_TIMEOUT, follow_redirects=False, trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )  # fmt: skip
    try:
        yield WebhookSession(client, loop)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
