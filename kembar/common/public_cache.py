"""Whole public answers kept in the shared cache until the data behind them changes.

What is cached
    GET answers (status 200, no cookie set) of views marked public-cacheable
    (:func:`public_cacheable` on a page, :class:`PublicCacheMixin` on an API
    view) for ANONYMOUS requests only: no session cookie and no
    ``Authorization`` header.  A signed-in user's request never reads or fills
    the cache, so what staff may see (counts of 1 to 4, internal partnerships)
    can never reach it.  One entry per language, scheme, host and full path
    (query string included); for the API also per ``Accept`` header, as DRF
    negotiates on it.

When it changes
    When the data changes, and at local midnight.  Every entry carries the
    *data generation* it was rendered under, a random stamp kept in the same
    shared cache.  A change to a model
    of the data apps (:data:`DATA_APPS`, and the agencies) renews the stamp
    after its transaction commits (``post_save``, ``post_delete``,
    ``m2m_changed``); code that writes in bulk (``bulk_create``,
    ``QuerySet.update``) calls :func:`bump` itself.  The middleware reads the
    stamp *before* the view runs and stores the answer under it, so an answer
    rendered while a write commits is filed under the old stamp and never
    served after the renewal.  The key also holds the local date, so an
    answer lasts one day at most: pages show figures as of today (a
    partnership's health state, the calendar's upcoming activities) that move
    with the date alone.  A lost stamp (evicted, cache emptied) is
    replaced by a new random one: everything is rendered again, nothing stale
    is served.  ``manage.py serve`` renews it at start, so new code and
    templates never meet old pages.

Signals are used here, against the project's rule of calling things
explicitly, because this is the case the rule leaves for them: the data apps
must not know that a cache of rendered pages exists.

HTTP
    A cached answer has a strong ``ETag`` (a hash of its body) and
    ``Last-Modified`` (when the stamp was renewed); ``If-None-Match`` and
    ``If-Modified-Since`` answer 304.  ``Cache-Control: no-cache`` and
    ``Vary: Cookie, Accept-Language`` make browsers ask again each time (a
    304 costs a cache read).  ``X-Cache: hit`` or ``miss`` says what happened.

One rendering per miss
    When many visitors ask for the same page just after the stamp was renewed,
    one request renders it (it takes a claim in the shared cache, ``cache.add``,
    for at most :data:`FILL_SECONDS`) and the others wait up to
    :data:`WAIT_SECONDS` for its answer instead of rendering it too.  A claim
    that ends without an entry (an error page, not storable) lets the waiters
    render for themselves.

Each process also keeps the answers it served last in memory (``LOCAL_BYTES``), checked
against the shared stamp like the shared entries: the stamp is still read on every request,
only reading and unpacking the body again is saved.

Settings
    ``KEMBAR_PUBLIC_CACHE`` (default true) turns the layer off when false.
    The entries live in the ``default`` cache: Redis when ``REDIS_URL`` is set
    (give it ``maxmemory`` with ``allkeys-lru``: entries never expire by
    time), otherwise files under ``var/cache`` shared by the processes of one
    machine.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    _APIViewBase = APIView
else:
    _APIViewBase = object

__all__ = [
    "DATA_APPS",
    "PublicCacheMiddleware",
    "PublicCacheMixin",
    "bump",
    "connect_signals",
    "generation",
    "public_cacheable",
]

#: Apps whose models public pages and API answers are made of.  Not: accounts (users,
#: recovery codes; its agencies are listed in EXTRA_MODELS), sessions, axes, knox, history.
DATA_APPS = frozenset(
    {"core", "geo", "partnerships", "programs", "insights", "participation", "knowledge"}
)
#: Models outside DATA_APPS that public answers show: an activity names its agency.
EXTRA_MODELS = frozenset({"accounts.organisation"})
#: Derived tables written only in bulk by code that calls bump() itself; a delete signal on
#: them would make Django load every row before deleting it (no "fast delete").
BULK_MODELS = frozenset({"programs.participantrollup"})
#: Models of the data apps that no public answer shows: the log of spreadsheet uploads (an
#: upload that changes nothing must not empty the cache; one that does writes activities).
#: Residents' registrations and what goes with them are never shown publicly (a check-in
#: changes the participant counts, which bump; an opportunity's own row bumps).
PRIVATE_MODELS = frozenset(
    {
        "programs.importbatch",
        "participation.resident",
        "participation.registration",
        "participation.consent",
        "participation.registrationevent",
        "participation.personaldataaccess",
    }
)

GENERATION_KEY = "kembar:public:generation"
ENTRY_PREFIX = "kembar:public:page:"
FILL_PREFIX = "kembar:public:fill:"
#: Longest a claim to render a missed page lasts (a process that died holding it).
FILL_SECONDS = 10
#: Longest a request waits for another one rendering the same page, then renders it itself.
WAIT_SECONDS = 2.0
#: How often a waiting request looks for the answer.
POLL_SECONDS = 0.02
#: Marks a response as safe to share between anonymous visitors (set by the decorator/mixin).
MARK = "kembar_public_cache"
#: Bytes of answers each process also keeps in memory (checked against the shared stamp on
#: every request, like the shared entries): saves reading and unpacking them again.
LOCAL_BYTES = 32 * 1024 * 1024

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])
#: What a cache that cannot be reached raises (Redis, or the file cache's folder).
CACHE_ERRORS = (OSError, RedisError)
logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "KEMBAR_PUBLIC_CACHE", True))


# --- The data generation ---------------------------------------------------------------------


def _new_stamp() -> tuple[str, float]:
    return (secrets.token_hex(8), time.time())


def generation() -> tuple[str, float]:
    """The current data generation: ``(random token, time it began)``."""
    stamp = cache.get(GENERATION_KEY)
    if stamp is None:
        cache.add(GENERATION_KEY, _new_stamp(), timeout=None)
        stamp = cache.get(GENERATION_KEY) or _new_stamp()
    return cast(tuple[str, float], tuple(stamp))


def _renew() -> None:
    cache.set(GENERATION_KEY, _new_stamp(), timeout=None)


def bump(using: str = "default") -> None:
    """Say that public data changed: cached answers go once the transaction commits.

    Outside a transaction the stamp is renewed at once.  Inside one, once per
    transaction however many rows it writes; nothing happens if it rolls back.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and _pending(connection):
        return
    # robust: a cache that cannot be reached must not fail a write that has committed.
    transaction.on_commit(_renew, using=using, robust=True)


def _pending(connection: Any) -> bool:
    """Whether this connection holds uncommitted public data (a renewal waits for its commit)."""
    return connection.in_atomic_block and any(
        entry[1] is _renew for entry in connection.run_on_commit
    )


def _uncommitted_writes() -> bool:
    return any(_pending(connection) for connection in connections.all(initialized_only=True))


def _tracked(model: type[models.Model]) -> bool:
    from simple_history.models import HistoricalChanges

    label = model._meta.label_lower
    if label in BULK_MODELS or label in PRIVATE_MODELS or issubclass(model, HistoricalChanges):
        return False
    return model._meta.app_label in DATA_APPS or label in EXTRA_MODELS


def _on_change(sender: type[models.Model], using: str = "default", **kwargs: Any) -> None:
    bump(using)


def _on_m2m(sender: Any, action: str, using: str = "default", **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump(using)


def connect_signals() -> None:
    """Renew the stamp on every change to a tracked model (called once, from an AppConfig)."""
    for model in apps.get_models(include_auto_created=True):
        if not _tracked(model):
            continue
        uid = f"public-cache:{model._meta.label_lower}"
        if model._meta.auto_created:
            # An m2m table: its changes arrive as m2m_changed with it as the sender.
            m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=uid, weak=False)
            continue
        post_save.connect(_on_change, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid, weak=False)
    for model in apps.get_models():
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through is not None and not through._meta.auto_created and _tracked(model):
                m2m_changed.connect(
                    _on_m2m,
                    sender=through,
                    dispatch_uid=f"public-cache:{through._meta.label_lower}:m2m",
                    weak=False,
                )


# --- Marking views -------------------------------------------------------------------------------


def _mark(request: Any, response: HttpResponseBase) -> None:
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        setattr(response, MARK, True)


def public_cacheable(view: _View) -> _View:
    """Let anonymous answers of this (public, read-only) view be shared until the data changes."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        _mark(request, response)
        return response

    return cast(_View, wrapped)


class PublicCacheMixin(_APIViewBase):
    """As :func:`public_cacheable`, for a DRF view: anonymous GET answers may be shared."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in {"GET", "HEAD"} and request.auth is None:
            _mark(request, response)
        return response


# --- The middleware -------------------------------------------------------------------------------


def _anonymous(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _entry_key(request: HttpRequest) -> str | None:
    try:
        address = request.build_absolute_uri()
    except DisallowedHost:
        return None
    parts = [
        get_language() or settings.LANGUAGE_CODE,
        timezone.localdate().isoformat(),  # figures "as of today" change at midnight
        address,
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
    ]
    if request.path.startswith("/api/"):
        parts.append(request.headers.get("Accept", ""))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return ENTRY_PREFIX + digest


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and getattr(response, MARK, False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and (user is None or not user.is_authenticated)
        and "*" not in response.get("Vary", "")
    )


def _validators(response: HttpResponse, stamp: tuple[str, float]) -> None:
    response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    response["Last-Modified"] = http_date(stamp[1])
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))


_Entry = tuple[str, int, list[tuple[str, str]], bytes]


class _LocalEntries:
    """The latest answers this process served, by key, up to LOCAL_BYTES of bodies."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, _Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, token: str) -> _Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != token:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[3])
            self.entries[key] = entry
            self.size += len(entry[3])
            while self.size > self.limit and self.entries:
                _key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[3])


class PublicCacheMiddleware:
    """Serve and fill the shared cache of anonymous public answers (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        limit = getattr(settings, "KEMBAR_PUBLIC_CACHE_LOCAL_BYTES", LOCAL_BYTES)
        self.local = _LocalEntries(limit)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not enabled() or not _anonymous(request) or _uncommitted_writes():
            return self.get_response(request)
        key = _entry_key(request)
        if key is None:
            return self.get_response(request)
        try:
            stamp = generation()  # before the view runs: see the module's docstring
            stored = self.local.get(key, stamp[0])
            if stored is None:
                stored = cache.get(key)
                if stored is not None and stored[0] == stamp[0]:
                    self.local.put(key, stored)
        except CACHE_ERRORS:
            logger.warning("public cache unreachable: answering without it", exc_info=True)
            return self.get_response(request)
        if stored is not None and stored[0] != stamp[0]:
            stored = None  # filed under an older generation
        if stored is None:
            claimed = False
            claim = FILL_PREFIX + key[len(ENTRY_PREFIX) :] + ":" + stamp[0]
            try:
                claimed = cache.add(claim, 1, timeout=FILL_SECONDS)
                if not claimed:
                    stored = self._wait(key, claim, stamp[0])
            except CACHE_ERRORS:
                logger.warning("public cache unreachable: answering without it", exc_info=True)
                return self.get_response(request)
            if stored is None:
                try:
                    return self._render(request, key, stamp)
                finally:
                    if claimed:
                        self._release(claim)
        _token, status, headers, content = stored
        cached = HttpResponse(content, status=status)
        for name, value in headers:
            cached[name] = value
        return self._conditional(request, cached, stamp, "hit")

    def _wait(self, key: str, claim: str, token: str) -> _Entry | None:
        """The answer another request is rendering, or None when it gave up or took too long."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            stored = self.local.get(key, token) or cache.get(key)
            if stored is not None and stored[0] == token:
                self.local.put(key, stored)
                return cast(_Entry, stored)
            if cache.get(claim) is None:
                return None
        return None

    @staticmethod
    def _release(claim: str) -> None:
        try:
            cache.delete(claim)
        except CACHE_ERRORS:
            logger.warning("public cache unreachable: claim left to expire", exc_info=True)

    def _render(self, request: HttpRequest, key: str, stamp: tuple[str, float]) -> HttpResponseBase:
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        page = cast(HttpResponse, response)  # not streaming: _storable checked
        _validators(page, stamp)
        entry = (stamp[0], page.status_code, list(page.items()), page.content)
        try:
            cache.set(key, entry, timeout=None)
        except CACHE_ERRORS:
            logger.warning("public cache unreachable: answer not stored", exc_info=True)
            return response
        self.local.put(key, entry)
        return self._conditional(request, page, stamp, "miss")

    @staticmethod
    def _conditional(
        request: HttpRequest, response: HttpResponse, stamp: tuple[str, float], state: str
    ) -> HttpResponseBase:
        response["X-Cache"] = state
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=int(stamp[1]), response=response
        )
        return conditional if conditional is not None else response
