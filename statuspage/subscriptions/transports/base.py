"""What every transport promises: a session that sends one delivery at a time or says why not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from statuspage.subscriptions.models import Delivery


class DeliveryFailed(Exception):
    """This one message was not accepted; `permanent` means retrying cannot help (a 5xx rejection);
    `retry_after` is how many seconds the destination asked us to wait (a 429's Retry-After)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class TransportUnavailable(Exception):
    """The channel itself is down (server unreachable, connection lost): the rest of the batch waits."""


class Session(Protocol):
    # Longest one send can take; a delivery is not started when less than this is left of its lease.
    timeout: float

    def send(self, delivery: Delivery) -> None:
        """Send or raise DeliveryFailed / TransportUnavailable; returning means it was accepted."""
