"""The client's address, as sign-in lockout and API throttling count it.

Behind a reverse proxy every request comes from the proxy's address; counting
failures by it would let anyone lock an officer out (everyone shares one
address).  ``X-Forwarded-For`` is read only when the request comes from a
proxy listed in ``KEMBAR_TRUSTED_PROXIES``, and then from the right: each
trusted proxy appends the address it received from, so the first address
from the right that is not a trusted proxy is the client.  Entries further
left were written by the client and are never trusted, so nobody can choose
a fresh address for each attempt.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings

__all__ = ["client_address", "trusted_proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _HasMeta(Protocol):
    @property
    def META(self) -> Mapping[str, Any]: ...


@functools.cache
def _parse(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of ``KEMBAR_TRUSTED_PROXIES`` (addresses or CIDR ranges)."""
    return _parse(tuple(getattr(settings, "KEMBAR_TRUSTED_PROXIES", ())))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51000"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in trusted_proxies())


def client_address(request: _HasMeta) -> str | None:
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR`` unless it is a trusted proxy; then the right-most entry of
    ``X-Forwarded-For`` that is not a trusted proxy (or the left-most, if all
    are).
    """
    remote = _address(str(request.META.get("REMOTE_ADDR", "")))
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    forwarded = [
        parsed
        for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if (parsed := _address(entry)) is not None
    ]
    for hop in reversed(forwarded):
        if not _trusted(hop):
            return str(hop)
    return str(forwarded[0]) if forwarded else str(remote)
