"""A request id on every log record of a request, and one access line per request.

The id comes from ``X-Request-ID`` when a trusted reverse proxy
(``KEMBAR_TRUSTED_PROXIES``) sent it, so that nginx's log and ours share it;
otherwise it is made here.  A client's own header is never taken: anyone could
choose ids that collide with other people's requests or carry text into the
logs.  The id goes back on the response and, through a context variable read
by :class:`RequestIdFilter`, into every record logged while the request runs
(and into Django's own record of a 4xx/5xx answer, logged just after).

The access line holds the method, the path without its query string (search
boxes put names and e-mail addresses there), the status, the duration and the
user's id: no addresses, names or query strings.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from kembar.accounts.addresses import trusted_proxies

__all__ = [
    "REQUEST_ID_HEADER",
    "RequestIdFilter",
    "RequestIdMiddleware",
    "current_request_id",
    "valid_request_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
#: What a proxy's id may look like: nginx's ``$request_id`` (32 hex digits), a UUID, or
#: similar; letters, digits and ``._:-``, at most 64 characters.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_REQUEST_ATTRIBUTE = "kembar_request_id"
#: Shown in records logged outside a request (commands, the task worker, start-up).
NO_REQUEST = "-"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "kembar_request_id", default=NO_REQUEST
)
access_logger = logging.getLogger("kembar.access")


def current_request_id() -> str:
    """The id of the request being served in this context, or ``"-"`` outside one."""
    return _request_id.get()


def valid_request_id(value: str) -> bool:
    """True if ``value`` is an id a proxy may hand on (safe to log and to echo)."""
    return _VALID_ID.fullmatch(value) is not None


def _from_trusted_proxy(request: HttpRequest) -> bool:
    try:
        remote = ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return False
    return any(remote in network for network in trusted_proxies())


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id when a trusted proxy sent a well-formed one, else a new one."""
    given = str(request.META.get(_META_KEY, ""))
    if given and valid_request_id(given) and _from_trusted_proxy(request):
        return given
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (attached to the handlers in ``LOGGING``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id == NO_REQUEST:
            # Django logs a response's 4xx/5xx status (logger django.request) after the
            # middleware has returned, with the request attached to the record.
            request_id = getattr(getattr(record, "request", None), _REQUEST_ATTRIBUTE, NO_REQUEST)
        record.request_id = request_id
        return True


def _user_label(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return str(user.pk)


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: it times the whole stack and tags every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request)
        setattr(request, _REQUEST_ATTRIBUTE, request_id)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user": _user_label(request),
                },
            )
            return response
        finally:
            _request_id.reset(token)
