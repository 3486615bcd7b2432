"""Rendered dashboard bodies for staff, kept in the shared cache until the data behind them changes.

The staff dashboards (reach, economy, network) spend most of their time computing
figures and rendering their tables, and every officer of a region sees the same
ones.  :func:`cached` keeps the rendered body (or any figures) under a key made of

- the *data generation* of :func:`kembar.common.public_cache.generation` (a random
  stamp renewed after every commit that changes the data apps' models; bulk writers
  call ``bump()``), read **before** the body is rendered, so that a body rendered
  while a write commits is filed under the old stamp and never read again;
- the active language;
- what the caller passes as ``parts``: the query string and **what the user may
  see**, computed on every request (the partnerships offered and counted, those
  whose exact breakdown the user sees).  Two users share an entry only when the
  same figures would be rendered for both; a user whose rights change gets another
  key at once (users and roles are not part of the generation).

A body never holds anything of the user beyond those parts (no CSRF token, no
name); the page around it (navigation, notifications) is rendered on every request.

Not cached: while the request's own transaction holds writes not yet committed
(the stamp has not moved yet), when ``KEMBAR_STAFF_CACHE`` is false, or when the
cache cannot be reached.  Entries expire after :data:`TIMEOUT` seconds: those of
an old generation are never read again and would otherwise wait for eviction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils.translation import get_language

from kembar.common.public_cache import CACHE_ERRORS, generation

__all__ = ["KEY_PREFIX", "TIMEOUT", "cached", "data_stamp", "enabled"]

KEY_PREFIX = "kembar:staff:fragment:"
#: Seconds an entry is kept at most (a new generation makes it unreachable sooner).
TIMEOUT = 6 * 3600
logger = logging.getLogger(__name__)
_Value = TypeVar("_Value")
#: Tells a missing entry from a stored None.
_MISSING = object()


def enabled() -> bool:
    return bool(getattr(settings, "KEMBAR_STAFF_CACHE", True))


def _uncommitted_writes() -> bool:
    """Whether this request's transaction holds writes whose stamp renewal waits for the commit."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block and connection.run_on_commit:
            return True
    return False


def data_stamp() -> str | None:
    """The data generation's token, or None when it cannot be trusted for this request.

    None while this connection holds writes not yet committed (their renewal of the
    stamp is still to come) or when the cache cannot be reached.
    """
    if _uncommitted_writes():
        return None
    try:
        return generation()[0]
    except CACHE_ERRORS:
        logger.warning("staff cache unreachable: no data stamp", exc_info=True)
        return None


def _key(name: str, token: str, parts: Iterable[Any]) -> str:
    text = repr((name, token, get_language() or settings.LANGUAGE_CODE, tuple(parts)))
    return KEY_PREFIX + name + ":" + hashlib.sha256(text.encode()).hexdigest()


def cached(name: str, parts: Iterable[Any], compute: Callable[[], _Value]) -> _Value:
    """What ``compute()`` returns, from the cache when the data and ``parts`` are unchanged.

    ``parts`` must hold everything the value depends on besides the data and the
    language: the query string and what the user may see (see the module).  The
    value must pickle; a rendered template (``SafeString``) stays safe.
    """
    token = data_stamp() if enabled() else None
    if token is None:
        return compute()
    try:
        key = _key(name, token, parts)
        found = cache.get(key, _MISSING)
    except CACHE_ERRORS:
        logger.warning("staff cache unreachable: computing without it", exc_info=True)
        return compute()
    if found is not _MISSING:
        return cast(_Value, found)
    value = compute()
    try:
        cache.set(key, value, timeout=TIMEOUT)
    except CACHE_ERRORS:
        logger.warning("staff cache unreachable: value not stored", exc_info=True)
    return value
