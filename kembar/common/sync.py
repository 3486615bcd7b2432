"""Bring a table in line with reference rows by natural key, writing only differences.

The reference loaders use this so that a second run with the same files
writes nothing, and a run with changed files touches only what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from kembar.common.public_cache import bump

__all__ = ["SyncResult", "sync_rows"]


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: int
    updated: int
    deleted: int
    unchanged: int
    stale: int

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "stale": self.stale,
        }


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_rows(
    model: type[models.Model],
    rows: Mapping[Any, Mapping[str, Any]],
    *,
    key: tuple[str, ...],
    delete_missing: bool,
    scope: Mapping[str, Any] | None = None,
    batch_size: int = 2000,
) -> SyncResult:
    """Create, update (and optionally delete) rows of ``model`` to match ``rows``.

    ``rows`` maps a natural key (a value, or a tuple for a composite key) to the
    field values by attribute name (``country_id``, not ``country``), key
    fields included.  Rows in the table but not in ``rows`` are deleted when
    ``delete_missing``, else counted as ``stale`` and left alone (other records
    may point at them).  ``scope`` limits the table to a subset, e.g. one source.

    Must run inside a transaction: it reads, then writes.
    """
    if not rows:
        value_fields: list[str] = []
    else:
        value_fields = [name for name in next(iter(rows.values())) if name not in key]
    queryset = model._default_manager.filter(**(scope or {}))
    existing: dict[Any, tuple[Any, ...]] = {}
    for record in queryset.values_list(*key, *value_fields).iterator(chunk_size=10000):
        natural = record[0] if len(key) == 1 else tuple(record[: len(key)])
        existing[natural] = tuple(record[len(key) :])

    to_create = []
    to_update = []
    for natural, values in rows.items():
        current = existing.get(natural)
        if current is None:
            to_create.append(model(**values))
        elif current != tuple(values[name] for name in value_fields):
            to_update.append(model(**values))
    for batch in _chunks(to_create, batch_size):
        model._default_manager.bulk_create(batch, batch_size=batch_size)
    if to_update:
        if len(key) == 1 and key[0] == model._meta.pk.attname:
            model._default_manager.bulk_update(to_update, value_fields, batch_size=500)
        else:
            for obj in to_update:
                lookup = {name: getattr(obj, name) for name in key}
                model._default_manager.filter(**lookup).update(
                    **{name: getattr(obj, name) for name in value_fields}
                )

    missing = [natural for natural in existing if natural not in rows]
    deleted = 0
    if missing and delete_missing:
        if len(key) == 1:
            for batch in _chunks(missing, 900):
                deleted += queryset.filter(**{f"{key[0]}__in": batch}).delete()[0]
        else:
            for natural in missing:
                deleted += queryset.filter(**dict(zip(key, natural, strict=True))).delete()[0]
    if to_create or to_update or deleted:
        bump(queryset.db)  # bulk writes send no signals: cached public answers go on commit
    return SyncResult(
        created=len(to_create),
        updated=len(to_update),
        deleted=deleted,
        unchanged=len(rows) - len(to_create) - len(to_update),
        stale=0 if delete_missing else len(missing),
    )
