"""Optimistic version checks: one rule for every record that more than one person edits.

A guarded record has a ``version`` that every saved change raises by one.  A
form or an API client sends back the version it read; the write locks the row
(``select_for_update`` on PostgreSQL; on SQLite every write transaction starts
``IMMEDIATE``, so they run one at a time), compares, and refuses a stale
version with :class:`EditConflict`.  The conflict lists, field by field, the
value the user started from (from the history simple-history keeps), the value
saved now and by whom, and the user's own value, so that nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.utils.formats import localize
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status

__all__ = [
    "ConflictSerializer",
    "EditConflict",
    "FieldConflict",
    "VersionConflict",
    "as_plain",
    "changed_by",
    "conflict_box",
    "conflict_from_history",
    "display",
    "lock_version",
]

M = TypeVar("M", bound=models.Model)

#: What a snapshot function gives: comparable values by field name.
Snapshot = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """One field someone else changed: where the user started, what is saved now, theirs."""

    field: str
    label: str
    base: Any
    current: Any
    yours: Any


class EditConflict(Exception):
    """Someone saved the record since this user read it.

    ``current`` is the record as saved now (its ``version`` is the one to send
    when saving again), ``conflicts`` the fields that changed under the user.
    """

    def __init__(
        self,
        *,
        current: Any,
        conflicts: list[FieldConflict],
        changed_by: str,
        message: str | None = None,
    ) -> None:
        self.current = current
        self.conflicts = conflicts
        self.changed_by = changed_by
        super().__init__(
            message
            or _("Someone else (%(user)s) changed this record while you were editing.")
            % {"user": changed_by}
        )

    def as_api(self, names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The body of a 409 answer: the version to send now and each conflicting field."""
        names = names or {}
        return {
            "detail": str(self),
            "version": self.current.version,
            "changed_by": self.changed_by,
            "conflicts": [
                {
                    "field": names.get(item.field, item.field),
                    "base": as_plain(item.base),
                    "current": as_plain(item.current),
                    "yours": as_plain(item.yours),
                }
                for item in self.conflicts
            ],
        }


def as_plain(value: Any) -> Any:
    """``value`` as JSON can carry it: records by their natural key, decimals as strings.

    >>> as_plain([Decimal("1.50"), date(2024, 1, 2), None])
    ['1.50', '2024-01-02', None]
    """
    if isinstance(value, models.Model):
        for key in ("slug", "kode", "code", "reference"):
            if hasattr(value, key):
                return getattr(value, key)
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [as_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def display(value: Any) -> str:
    """A compared value as a person reads it: lists one per line, records by name."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return "\n".join(display(item) for item in value)
    if isinstance(value, models.Model):
        return str(value)
    return str(localize(value))


def lock_version(model: type[M], pk: Any, expected_version: int | None) -> tuple[M, bool]:
    """The row of ``model`` locked until the transaction ends, and whether its version is stale.

    Call inside ``transaction.atomic()``.  ``expected_version`` ``None`` means
    an explicit overwrite (a spreadsheet import by natural key): never stale.
    """
    locked = model._default_manager.select_for_update().get(pk=pk)
    stale = expected_version is not None and locked.version != expected_version  # type: ignore[attr-defined]
    return locked, stale


def changed_by(record: Any) -> str:
    """Who saved the newest version of ``record``, as its history says."""
    latest = record.history.order_by("-history_id").first()
    user = latest.history_user if latest is not None else None
    return str(user) if user is not None else _("unknown")


def base_record(record: Any, version: int) -> Any | None:
    """The newest history record of ``record`` at ``version`` (None if the history lacks it)."""
    return record.history.filter(version=version).order_by("-history_id").first()


def conflict_from_history(
    current: Any,
    base_version: int,
    yours: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    snapshot: Callable[[Any], Snapshot] | None = None,
    message: str | None = None,
    empty: Any | None = None,
) -> EditConflict:
    """The conflict between ``yours`` and what was saved since ``base_version``.

    ``snapshot`` turns the record (or its history record at ``base_version``)
    into comparable values by field name; without it the fields are read as
    attributes.  A field is listed when the user gives it a value other than the
    saved one and it changed since the user's version (or the history cannot say
    what the user started from).
    ``message`` may name the user who saved last as ``%(user)s``.  Version 0
    means the user started before the record existed: it reads as ``empty``.
    """
    base = empty if base_version == 0 and empty is not None else base_record(current, base_version)

    def read(record: Any) -> Snapshot:
        if snapshot is not None:
            return snapshot(record)
        return {name: getattr(record, name) for name in labels}

    now = read(current)
    before = read(base) if base is not None else None
    conflicts = [
        FieldConflict(
            field=name,
            label=labels[name],
            base=before.get(name) if before is not None else None,
            current=now.get(name),
            yours=value,
        )
        for name, value in yours.items()
        if name in labels
        and (before is None or before.get(name) != now.get(name))
        # Both saving the same value is no conflict.
        and as_plain(value) != as_plain(now.get(name))
    ]
    who = changed_by(current)
    return EditConflict(
        current=current,
        conflicts=conflicts,
        changed_by=who,
        message=message % {"user": who} if message else None,
    )


def conflict_box(
    conflict: EditConflict,
    *,
    heading: str,
    elsewhere: str,
    display: Callable[[str, Any], str],
) -> dict[str, Any]:
    """What ``staff/_conflict.html`` shows: who saved, and each field on three sides.

    ``elsewhere`` is said when none of the user's fields changed (the version
    moved because of a change elsewhere in the record).
    """
    return {
        "heading": heading,
        "elsewhere": elsewhere,
        "changed_by": conflict.changed_by,
        "rows": [
            {
                "label": item.label,
                "base": display(item.field, item.base),
                "current": display(item.field, item.current),
                "yours": display(item.field, item.yours),
            }
            for item in conflict.conflicts
        ],
    }


# --- API: the 409 answer and its schema --------------------------------------------------


class VersionConflict(exceptions.APIException):
    """A stale version in an API write: 409 with :meth:`EditConflict.as_api` as the body."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, conflict: EditConflict, names: Mapping[str, str] | None = None) -> None:
        super().__init__()
        # Set after __init__ so DRF does not turn the version and values into strings.
        self.detail = conflict.as_api(names)


class FieldConflictSerializer(serializers.Serializer[dict[str, Any]]):
    field = serializers.CharField(help_text="the field (or list, e.g. `budget`) that changed")
    base = serializers.JSONField(help_text="its value in the version you read", allow_null=True)
    current = serializers.JSONField(help_text="its value saved now", allow_null=True)
    yours = serializers.JSONField(help_text="the value you sent", allow_null=True)


class ConflictSerializer(serializers.Serializer[dict[str, Any]]):
    """409: someone saved the record since the client read it; nothing was saved."""

    detail = serializers.CharField()
    version = serializers.IntegerField(help_text="the version saved now; send it to overwrite")
    changed_by = serializers.CharField(help_text="who saved the newest version")
    conflicts = FieldConflictSerializer(many=True)


class RequiredInPatch:
    """A serializer mixin: the schema of a PATCH body keeps its required fields (``version``).

    drf-spectacular documents every PATCH body as all-optional (it sets
    ``partial``); a version-guarded PATCH is refused without ``version``, so the
    schema must say so.  Such serializers are never partial themselves.
    """

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        """Ignored: see the class."""
