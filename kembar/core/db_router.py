"""Reads from a streaming replica, writes to the primary, and each client reads its own writes.

With ``DATABASE_REPLICA_URL`` set, ``config/settings.py`` adds the database alias
``replica`` and names it in ``KEMBAR_READ_REPLICA``.  Then:

- every write goes to ``default`` (the primary), and so do migrations;
- reads go to the replica only inside a request that :class:`ReplicaRoutingMiddleware`
  has opened for it: a safe request (GET, HEAD, OPTIONS) that no pin (below) holds on the
  primary.  Management commands, background jobs and the shell read from the primary: they
  mostly read what they are about to write;
- within a request, once anything has been written (a save, a session, a sign-in record),
  the remaining reads go to the primary, and so does every read inside ``atomic``;
- a request that wrote, or used a method other than a safe one, pins its client to the
  primary (a signed cookie holding the time of the write; for API clients, which often keep
  no cookies, the same time in the shared cache under a digest of their ``Authorization``
  header), so a page shown after a form or a PATCH shows what it changed;
- after public data changed (the public cache's data generation,
  :func:`kembar.common.public_cache.generation`, was renewed) every request reads from the
  primary the same way: an answer rendered from a replica that has not replayed the change
  would be stored in the public cache under the new generation and served until the next.

A pin ends as soon as the replica has replayed a transaction committed after the moment it
protects (``pg_last_xact_replay_timestamp()``, asked at most once per request and only
while a pin is on), and at the latest after ``KEMBAR_REPLICA_PIN_SECONDS``, which must
therefore exceed the replica's lag (``deploy/postgres-replica.sh --status`` shows it).
Without a replica every method here answers "default".

A replica that cannot be reached does not take the site down: when a connection to it
fails, reads go to the primary, and the replica is tried again after
``KEMBAR_REPLICA_RETRY_SECONDS`` (per process).  Nor does a cache that cannot be reached:
without the data generation and the API pins, reads go to the primary.  A replica that
answers but lags is still read from (the pins above keep each client's own writes
visible); ``/readyz`` reports both (:func:`kembar.core.selectors.replica_status`).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from kembar.common.public_cache import CACHE_ERRORS, generation

logger = logging.getLogger(__name__)

__all__ = [
    "PIN_COOKIE",
    "PrimaryReplicaRouter",
    "ReplicaRoutingMiddleware",
    "read_alias",
]

PIN_COOKIE = "kembar_primary"
_PIN_SALT = "kembar.core.db_router.pin"
_PIN_CACHE_PREFIX = "kembar:db-pin:"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _Route:
    """Where the reads of the current request go; ``wrote`` is set by the first write."""

    replica_allowed: bool
    wrote: bool = False


#: The current request's route; ``None`` outside a request (commands, jobs): the primary.
_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar(
    "kembar_db_route", default=None
)


def _replica_alias() -> str:
    return str(getattr(settings, "KEMBAR_READ_REPLICA", "") or "")


def _in_transaction() -> bool:
    """Whether code runs inside ``atomic`` on the primary.

    The test framework wraps every test in atomic blocks it marks ``_from_testcase``
    (Django's own check for ``durable`` blocks reads the same mark); those do not count, or
    no read under test could ever reach the replica.
    """
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


#: Per replica alias, when (``time.monotonic()``) this process last failed to connect to it.
_failed_at: dict[str, float] = {}


def _replica_reachable(alias: str) -> bool:
    """Whether ``alias`` has, or can open, a connection; a failure sends reads elsewhere.

    A connection already open counts as reachable: if the server went away since, the
    query that finds out fails, Django closes the connection at the end of that request,
    and the next request comes here again.
    """
    retry = float(getattr(settings, "KEMBAR_REPLICA_RETRY_SECONDS", 10))
    failed_at = _failed_at.get(alias)
    if failed_at is not None and time.monotonic() - failed_at < retry:
        return False
    try:
        connections[alias].ensure_connection()
    except DatabaseError as exc:
        _failed_at[alias] = time.monotonic()
        logger.warning(
            "read replica %s is unreachable, reading from the primary for %s s: %s",
            alias, retry, exc,
        )  # fmt: skip
        return False
    _failed_at.pop(alias, None)
    return True


def read_alias() -> str:
    """The database alias a read made now goes to."""
    replica = _replica_alias()
    route = _route.get()
    if not replica or route is None or not route.replica_allowed or route.wrote:
        return DEFAULT_DB_ALIAS
    if _in_transaction():
        return DEFAULT_DB_ALIAS
    if not _replica_reachable(replica):
        # The rest of this request reads from the primary too: one view, one database.
        route.replica_allowed = False
        return DEFAULT_DB_ALIAS
    return replica


class PrimaryReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads as :func:`read_alias` says, all else on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        route = _route.get()
        if route is not None:
            route.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: objects from either may be related.
        aliases = {DEFAULT_DB_ALIAS, _replica_alias()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == DEFAULT_DB_ALIAS


def _pin_seconds() -> int:
    return int(settings.KEMBAR_REPLICA_PIN_SECONDS)


def _authorization_key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return _PIN_CACHE_PREFIX + hashlib.sha256(header.encode()).hexdigest()


def _client_wrote_at(request: HttpRequest) -> float | None:
    """When this client last wrote, if within the pin; None if it did not (or long ago)."""
    moments: list[float] = []
    if PIN_COOKIE in request.COOKIES:
        try:
            value = request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=_pin_seconds())
            if value is not None:
                moments.append(float(value))
        except (KeyError, ValueError, signing.BadSignature):
            pass  # expired, forged or malformed: no pin
    key = _authorization_key(request)
    if key is not None:
        stored = cache.get(key)
        if isinstance(stored, float):
            moments.append(stored)
    return max(moments) if moments else None


#: The newest commit time (epoch seconds) this process has seen the replica replay.  It only
#: grows, so once past a moment it answers for that moment without asking the replica again.
_replayed_until = 0.0


def _replica_has_replayed(moment: float) -> bool:
    """Whether the replica has replayed every transaction the primary committed before ``moment``.

    PostgreSQL replays in commit order: once it has replayed a transaction committed at or
    after ``moment``, it holds everything committed before.  On a quiet server no such
    transaction may come for a while; the caller then relies on the pin's length.  The
    app servers' and the primary's clocks must agree (NTP) to well under the pin.
    """
    global _replayed_until
    if _replayed_until >= moment:
        return True
    alias = _replica_alias()
    if not _replica_reachable(alias):
        return False
    replica = connections[alias]
    if replica.vendor != "postgresql":
        return False
    try:
        with replica.cursor() as cursor:
            cursor.execute("SELECT extract(epoch FROM pg_last_xact_replay_timestamp())")
            row = cursor.fetchone()
    except DatabaseError:
        return False
    if row is not None and row[0] is not None:
        _replayed_until = max(_replayed_until, float(row[0]))
    return _replayed_until >= moment


def _must_read_primary(request: HttpRequest) -> bool:
    """Whether a safe request must read from the primary: see the module's docstring.

    The moments that matter are the client's own last write and the last change of public
    data, each for ``KEMBAR_REPLICA_PIN_SECONDS`` at most: the primary serves the request
    until the replica has replayed past the later one.
    """
    now = time.time()
    try:
        moments = [generation()[1]]
        wrote_at = _client_wrote_at(request)
    except CACHE_ERRORS:
        # Neither the last change of public data nor an API client's pin can be known: the
        # primary shows the latest, and the site keeps serving while the cache is away.
        logger.warning("cache unreachable: reading from the primary", exc_info=True)
        return True
    if wrote_at is not None:
        moments.append(wrote_at)
    recent = [moment for moment in moments if now - moment < _pin_seconds()]
    return bool(recent) and not _replica_has_replayed(max(recent))


def _pin_client(request: HttpRequest, response: HttpResponse) -> None:
    seconds = _pin_seconds()
    now = time.time()
    response.set_signed_cookie(
        PIN_COOKIE,
        f"{now:.6f}",
        salt=_PIN_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    key = _authorization_key(request)
    if key is not None:
        try:
            cache.set(key, now, timeout=seconds)
        except CACHE_ERRORS:
            logger.warning("cache unreachable: API client not pinned to the primary", exc_info=True)


class ReplicaRoutingMiddleware:
    """Opens the request's route and pins a client that wrote to the primary for a while.

    It sits before the session middleware, so that the session, read lazily and saved on
    the way out, is read where this request reads and its save counts as a write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _replica_alias():
            return self.get_response(request)
        # A form post or API change reads from the primary throughout: it checks what it
        # is about to change (versions, permissions) against the latest rows.
        safe = request.method in _SAFE_METHODS
        route = _Route(replica_allowed=safe and not _must_read_primary(request))
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if route.wrote or not safe:
            _pin_client(request, response)
        return response
