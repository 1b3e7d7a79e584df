"""Operator notifications through Apprise: one of OPERATOR_NOTIFY_URLS per delivery, found by its label."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import apprise
from apprise.result import AppriseResultStatus
from django.conf import settings

from statuspage.subscriptions import alerts
from statuspage.subscriptions.models import Delivery
from statuspage.subscriptions.transports.base import DeliveryFailed


class OperatorSession:
    def __init__(self) -> None:
        self._targets = alerts.notify_targets()
        self.timeout = settings.WEBHOOK_TIMEOUT

    def send(self, delivery: Delivery) -> None:
        if delivery.purpose != Delivery.Purpose.ALERT:
            raise DeliveryFailed("operator channels carry operator alerts only", permanent=True)
        url = self._targets.get(delivery.recipient)
        if url is None:
            raise DeliveryFailed(f"{delivery.recipient} is no longer in OPERATOR_NOTIFY_URLS", permanent=True)
        notifier = apprise.Apprise()
        if not notifier.add(url):
            raise DeliveryFailed(f"Apprise does not understand the {delivery.recipient} URL", permanent=True)
        alert = delivery.alert
        body = f"{alert.body}\n\n{settings.SITE_URL}/{settings.ADMIN_URL}"
        result = notifier.notify(
            body=body,
            title=f"[{settings.SITE_NAME}] {alert.subject}",
            notify_type=alerts.SEVERITY.get(alert.kind, "failure"),
            timeout=self.timeout,
            log_level=logging.WARNING,
        )
        if result.status != AppriseResultStatus.SUCCESS:
            said = "; ".join(e.message for e in result.logs() if e.level in ("WARNING", "ERROR"))
            # Apprise's messages name the service, not the URL; strip it anyway should one ever appear.
            raise DeliveryFailed((said or f"Apprise: {result.status.name}").replace(url, delivery.recipient))


@contextmanager
def session() -> Iterator[OperatorSession]:
    yield OperatorSession()
