"""Where a webhook may be sent: public addresses only, checked when subscribing and again when sending."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class RefusedDestination(Exception):
    """The URL is malformed or resolves to an address we must not call; the message says why."""


@dataclass(frozen=True)
class Destination:
    """A checked URL and the address to connect to, so no second lookup can be answered differently."""

    url: str
    host: str
    port: int
    address: str


def check(url: str) -> Destination:
    """Resolve the URL's host and refuse it unless every address it resolves to is public.

    Refusing when any one address is private stops a name that lists a public and a private address
    from being used to reach the private one.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedDestination("the URL must start with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination("the URL must not contain a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedDestination("the URL has an invalid port") from None
    host = parts.hostname
    if not host:
        raise RefusedDestination("the URL has no host name")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedDestination(f"the host name {host} does not resolve") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address.split("%")[0])):
                raise RefusedDestination(f"{host} resolves to {address}, a private or reserved address")
    return Destination(url=url, host=host, port=port, address=addresses[0])


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: site-local translators, never public
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches through a translator or tunnel, which must be public too.

    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64, 6to4 (2002:AABB:CCDD::) and
    Teredo (the server and the client address) all lead to the IPv4 address inside.
    """
    inside = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in _NAT64 or int(ip) >> 32 == 0:
        inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [v4 for v4 in inside if v4 is not None]


def _is_public(ip: IP) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        if not all(_is_public(v4) for v4 in _embedded_ipv4(ip)):
            return False
        if ip.ipv4_mapped is not None or ip in _NAT64:
            return True  # judged by the IPv4 address inside, which passed
    return ip.is_global and not (
        ip.is_multicast or ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved
    )
