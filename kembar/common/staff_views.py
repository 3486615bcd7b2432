"""Small helpers shared by the staff views of the apps (pages, not the API)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

__all__ = ["apply_errors", "require"]


def require(request: HttpRequest, perm: str, obj: Any) -> None:
    """403 unless the signed-in user has ``perm`` on ``obj`` (rules, object level)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
