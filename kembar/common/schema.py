"""The OpenAPI schema class: drf-spectacular's, plus the error answers of every endpoint.

Apart from ``kembar.common.api`` because DRF imports the schema class while
reading its settings, and that module is itself named in those settings.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

__all__ = ["ERROR_SCHEMA", "AutoSchema"]


#: Every error body: ``detail`` always; ``errors`` per field (400), ``reasons`` for a
#: refused lifecycle move, ``request_id`` for a server error, more keys where an
#: operation documents them (a 409 names the conflicting fields).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"description": "Messages per field or parameter."},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "request_id": {"type": "string"},
    },
    "required": ["detail"],
}

_ERROR_DESCRIPTIONS = {
    "400": "A parameter or the body is invalid; `errors` names each one.",
    "401": "The token is missing, wrong or expired.",
    "403": "Not signed in, or the caller's role or region may not do this.",
    "404": "No such record, or not visible to the caller.",
    "406": "The `Accept` header asks for something other than JSON.",
    "413": "The body is larger than the server accepts.",
    "415": "The body's content type is not accepted here.",
    "429": "Too many requests; wait for the number of seconds in `Retry-After`.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the error answers every operation can give.

    Authentication, permissions, throttling, content negotiation and the
    request parsers answer the same way on every endpoint; documenting that
    once here keeps the schema true without a list on each view.  An error an
    operation declares itself keeps its description and gets the error body
    unless it names its own.
    """

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        statuses = ["404", "406"]
        if getattr(self.view, "authentication_classes", None):
            # A wrong or expired token, or a session request without its CSRF token.
            statuses += ["401", "403"]
        if getattr(self.view, "throttle_classes", None):
            statuses.append("429")
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required"):
                # DRF reads an optional parameter sent empty (``?level=``, as an
                # empty form field sends it) as one not sent.
                parameter["allowEmptyValue"] = True
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if has_query or "requestBody" in operation:
            statuses.append("400")
        if "requestBody" in operation:
            statuses += ["413", "415"]
        responses = operation.setdefault("responses", {})
        for status in statuses:
            responses.setdefault(status, {"description": _ERROR_DESCRIPTIONS[status]})
        for status, response in responses.items():
            if status[0] in "45" and "content" not in response:
                response["content"] = {"application/json": {"schema": component.ref}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation
