"""Throttles on the subscribe form: per client and per address, counted by django-ratelimit in Redis."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

log = logging.getLogger(__name__)


class ThrottleUnavailable(Exception):
    """The counters cannot be read (cache down); refuse rather than let the form flood anyone."""


class BadClientAddress(SuspiciousOperation):
    """The trusted proxy's client-address header holds no address: Django answers 400."""


def client_ip(request: HttpRequest) -> str:
    """The client address for django-ratelimit (RATELIMIT_IP_META_KEY): a trusted proxy's header, if set."""
    header = settings.SUBSCRIBE_CLIENT_IP_HEADER
    forwarded = request.META.get(header, "").split(",")[-1].strip() if header else ""
    if forwarded:
        try:
            ipaddress.ip_address(forwarded)
        except ValueError:
            raise BadClientAddress(f"{header} is not an IP address") from None
    return forwarded or request.META.get("REMOTE_ADDR", "")  # absent on requests built in code


def client_network(request: HttpRequest) -> str:
    """The client for sign-in lockouts: its IPv4 address, or its IPv6 /64 (one subscriber's share)."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv4Address):
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def client_exceeded(request: HttpRequest) -> bool:
    """Count one submission from this client; True when it is over SUBSCRIBE_RATE_PER_CLIENT."""
    return _hit(request, "subscribe-client", "ip", settings.SUBSCRIBE_RATE_PER_CLIENT)


def address_exceeded(request: HttpRequest, address: str) -> bool:
    """Count one email to this address; True when it is over SUBSCRIBE_RATE_PER_ADDRESS."""
    normalized = address.strip().lower()
    return _hit(
        request, "subscribe-address", lambda group, request: normalized, settings.SUBSCRIBE_RATE_PER_ADDRESS
    )


def _hit(request: HttpRequest, group: str, key, rate: str) -> bool:
    try:
        return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
    except BadClientAddress:
        raise
    except Exception as exc:  # Django's Redis cache raises where django-ratelimit expects None
        log.warning("subscribe throttle unavailable: %s", exc)
        raise ThrottleUnavailable from exc
