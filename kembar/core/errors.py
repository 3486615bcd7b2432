"""Error answers: JSON under ``/api/``, Kembar's own pages everywhere else.

Django's defaults answer an API client with an HTML page (unknown path,
oversized body, crash) and a person with a bare English page and no way back.
``config.urls`` names these views as ``handler400`` … ``handler500`` and
``CSRF_FAILURE_VIEW`` points at :func:`csrf_failure`.
"""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from kembar.common.request_id import NO_REQUEST, current_request_id

logger = logging.getLogger(__name__)

__all__ = ["bad_request", "csrf_failure", "page_not_found", "permission_denied", "server_error"]


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json_error(detail: str, status: int, **extra: str) -> JsonResponse:
    # DRF's own errors have the same shape, so a client reads one key everywhere.
    return JsonResponse({"detail": detail, **extra}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig)
    if is_api(request):
        if too_big:
            return _json_error(
                _("The request body is too large; send less data in one request."), 413
            )
        return _json_error(_("The request could not be understood; check its syntax."), 400)
    status = 413 if too_big else 400
    return render(request, "400.html", {"too_big": too_big}, status=status)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _json_error(_("You do not have permission to perform this action."), 403)
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _json_error(
            _("No API endpoint at this address; the list is at /api/docs/."), 404
        )
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to a crash, rendered without the database or context processors.

    Whatever broke (the database, a context processor) may break again, so
    the page gets a plain context; the request id ties what the user reports
    to the traceback in the log.
    """
    # The id of the request being served (kembar.common.request_id), or a new one outside it.
    request_id = current_request_id()
    if request_id == NO_REQUEST:
        request_id = uuid.uuid4().hex
    # Called while the exception is being handled: the traceback is logged with the id.
    logger.error("unhandled error, request id %s, %s %s", request_id, request.method,
                 request.path, exc_info=True)
    if is_api(request):
        response: HttpResponse = _json_error(
            _("Something went wrong on the server; it has been logged. "
              "Quote request id %(id)s when you report it.") % {"id": request_id},
            500,
            request_id=request_id,
        )
    else:
        page = loader.get_template("500.html").render({"request_id": request_id})
        response = HttpResponse(page, status=500)
    response["X-Request-ID"] = request_id
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, cookies off), explained in the user's language."""
    if is_api(request):
        return _json_error(
            _("CSRF check failed; send the CSRF token with a session-authenticated request."),
            403,
        )
    return render(request, "403_csrf.html", status=403)
