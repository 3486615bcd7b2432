"""REST conventions shared by every app: pagination, error bodies, named enums."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

_M = TypeVar("_M", bound=Model)


def _has_nul(data: Any) -> bool:
    return isinstance(data, str) and "\x00" in data


class SlugRelatedField(serializers.SlugRelatedField[_M]):
    """DRF's field, refusing a value with a NUL character before the lookup.

    PostgreSQL refuses NUL in a query's text, so the lookup would fail with a
    database error (500) instead of saying the value is wrong (400).  Every
    API serializer takes its related fields from here.
    """

    def to_internal_value(self, data: Any) -> _M:
        if _has_nul(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[_M]):
    """DRF's field, refusing a value with a NUL character before the lookup (see above)."""

    def to_internal_value(self, data: Any) -> _M:
        if _has_nul(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class Pagination(PageNumberPagination):
    """Pages as ``{"count", "next", "previous", "results"}``; ``page_size`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Any) -> int:
        """The page size asked for, up to 500; ``?page_size=abc`` or ``0`` answers 400.

        DRF falls back to the default for a bad value, which hides a client's mistake.
        """
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Use a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a one-line ``detail`` that names the bad parameters.

    A client reading only ``detail`` learns what to fix; ``errors`` keeps the
    per-field messages.
    """
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and isinstance(response.data, list)
    ):
        # ValidationError("…") without a field: still the documented error object.
        response.data = {
            "detail": " ".join(str(message) for message in response.data),
            "errors": {"non_field_errors": response.data},
        }
    elif (
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


class NamedChoiceField(serializers.ChoiceField):
    """A choice field that the schema documents as the enum component ``enum_name``.

    drf-spectacular names an enum after its field; several code lists share a
    field name here (``kind`` of an activity and of a budget line, ``side`` of
    participants and of contributions …), which it could only tell apart by a
    hash and with a warning.  Naming them keeps the schema readable.
    """

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field: NamedChoiceField = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "\n".join(
                    f"* `{value}` - {label}" for value, label in field.choices.items()
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
