"""REST conventions shared by every app: pagination and error bodies."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    """Pages as ``{"count", "next", "previous", "results"}``; ``page_size`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a one-line ``detail`` that names the bad parameters.

    A client reading only ``detail`` learns what to fix; ``errors`` keeps the
    per-field messages.
    """
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and isinstance(response.data, dict)
    ):
        names = ", ".join(sorted(str(key) for key in response.data))
        response.data = {
            "detail": _("Invalid parameter: %(names)s") % {"names": names},
            "errors": response.data,
        }
    return response


def validated_query(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    """Validate a request's query string with a serializer; a bad value answers 400.

    Unknown parameters are refused too, so that a typo (``?levle=``) is not
    silently ignored.
    """
    allowed = set(serializer_class().fields) | {"page", "page_size", "format"}
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise exceptions.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
