"""API request rates, per signed-in user and per client address.

DRF's throttles, with two changes: the rate is read from the setting
``KEMBAR_API_RATES`` on every request (DRF reads it once, at import), and the
address is the client's as :func:`kembar.accounts.addresses.client_address`
finds it behind trusted proxies (DRF's own reading trusts any
``X-Forwarded-For`` unless ``NUM_PROXIES`` is set).  Counts live in the
default cache; beyond the rate the API answers 429 with ``Retry-After``.
A cache that cannot be reached lets the request through (logged): the API keeps
answering while Redis is away, and sign-in guessing is still stopped by the
lockout, which counts in the database.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from rest_framework import throttling
from rest_framework.request import Request

from kembar.accounts.addresses import client_address
from kembar.common.public_cache import CACHE_ERRORS

__all__ = [
    "AddressRateThrottle",
    "RegistrationRateThrottle",
    "SignInRateThrottle",
    "UserRateThrottle",
]

logger = logging.getLogger(__name__)


class _KembarThrottle(throttling.SimpleRateThrottle):
    def __init__(self) -> None:
        # The rate is parsed per request in allow_request, not frozen at start-up.
        pass

    def get_rate(self) -> str | None:
        rate = dict(getattr(settings, "KEMBAR_API_RATES", {})).get(self.scope)
        return str(rate) if rate else None

    def get_ident(self, request: Request) -> str:
        return client_address(request) or "unknown"

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("request rate not counted: the cache is unreachable", exc_info=True)
            return True


class UserRateThrottle(_KembarThrottle):
    """Requests per signed-in user (anonymous requests are left to the address rate)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressRateThrottle(_KembarThrottle):
    """Requests per client address, signed in or not."""

    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInRateThrottle(AddressRateThrottle):
    """Token requests per client address: guessing passwords is slow even across usernames."""

    scope = "sign_in"


class RegistrationRateThrottle(AddressRateThrottle):
    """Registrations started or confirmed per client address (a code is sent for each)."""

    scope = "registration"
