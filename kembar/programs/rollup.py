"""Keep :class:`~kembar.programs.models.ParticipantRollup` in step with the participant counts.

The services call :func:`rollup_refresh` with the summary keys an activity
had before and has after a change, inside the same transaction, so the
summary never disagrees with the counts it sums.  Bulk writers (the demo
generator) call :func:`rollup_rebuild`; the spreadsheet import, which knows
the counts before and after, adds the differences (:func:`rollup_add`).
``manage.py reach_rollup --check`` compares the summary with a fresh sum.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from kembar.common.public_cache import bump
from kembar.programs.models import (
    Activity,
    ParticipantCount,
    ParticipantRollup,
    ParticipantSide,
    ReachDimension,
)

__all__ = [
    "RollupDeltas",
    "RollupKey",
    "activity_rollup_key",
    "rollup_add",
    "rollup_count_deltas",
    "rollup_differences",
    "rollup_rebuild",
    "rollup_refresh",
]

#: The ParticipantCount column each dimension sums by.
DIMENSION_COLUMNS = {
    ReachDimension.DISTRICT: "home_region_id",
    ReachDimension.GROUP: "group",
    ReachDimension.GENDER: "gender",
    ReachDimension.AGE_BAND: "age_band",
}
_KEY_COLUMNS = {
    "local_region_id": "activity__partnership__local_region_id",
    "partnership_id": "activity__partnership_id",
    "sector_id": "activity__sector_id",
    "kind": "activity__kind",
    "year": "year",
    "is_demo": "activity__is_demo",
}


class RollupKey(NamedTuple):
    local_region_id: str
    partnership_id: int
    sector_id: int
    kind: str
    year: int
    is_demo: bool


def activity_rollup_key(activity: Activity) -> RollupKey:
    return RollupKey(
        activity.partnership.local_region_id,
        activity.partnership_id,
        activity.sector_id,
        activity.kind,
        activity.start_date.year,
        activity.is_demo,
    )


def _counts_q(key: RollupKey) -> Q:
    return Q(
        activity__partnership__local_region_id=key.local_region_id,
        activity__partnership_id=key.partnership_id,
        activity__sector_id=key.sector_id,
        activity__kind=key.kind,
        activity__start_date__year=key.year,
        activity__is_demo=key.is_demo,
    )


def _sums(counts_filter: Q) -> list[ParticipantRollup]:
    counts = ParticipantCount.objects.filter(counts_filter, side=ParticipantSide.LOCAL).annotate(
        year=ExtractYear("activity__start_date")
    )
    rows = []
    for dimension, column in DIMENSION_COLUMNS.items():
        grouped = (
            counts.values(*_KEY_COLUMNS.values(), column).annotate(total=Sum("count")).order_by()
        )
        for item in grouped:
            if not item["total"]:
                continue
            rows.append(
                ParticipantRollup(
                    **{name: item[path] for name, path in _KEY_COLUMNS.items()},
                    dimension=dimension,
                    category=item[column] or "",
                    participants=item["total"],
                )
            )
    return rows


def rollup_refresh(keys: Iterable[RollupKey]) -> None:
    """Recompute the summary rows of ``keys`` from the counts (inside the caller's transaction)."""
    unique = sorted(set(keys))
    if not unique:
        return
    with transaction.atomic():
        ParticipantRollup.objects.filter(
            functools.reduce(operator.or_, (Q(**key._asdict()) for key in unique))
        ).delete()
        ParticipantRollup.objects.bulk_create(
            _sums(functools.reduce(operator.or_, (_counts_q(key) for key in unique))),
            batch_size=2000,
        )
        bump()  # the summary is written in bulk, without signals (kembar.common.public_cache)


#: Differences to the summary: (key, dimension, category) → participants to add (or remove).
RollupDeltas = dict[tuple[RollupKey, str, str], int]


def rollup_count_deltas(
    deltas: RollupDeltas,
    key: RollupKey,
    counts: Iterable[tuple[str, str, str, str, str | None, int]],
    sign: int,
) -> None:
    """Add (``sign`` 1) or take away (-1) ``counts`` under ``key`` to ``deltas``.

    Each count is (side, group, gender, age band, home kecamatan or None,
    people); only the local side is summed, as :func:`rollup_refresh` does.
    """
    for side, group, gender, age_band, home, people in counts:
        if side != ParticipantSide.LOCAL or not people:
            continue
        for dimension, category in (
            (ReachDimension.DISTRICT, home or ""),
            (ReachDimension.GROUP, group),
            (ReachDimension.GENDER, gender),
            (ReachDimension.AGE_BAND, age_band),
        ):
            item = (key, str(dimension), category)
            deltas[item] = deltas.get(item, 0) + sign * people


def rollup_add(deltas: RollupDeltas) -> None:
    """Add ``deltas`` to the summary rows (inside the caller's transaction).

    The bulk counterpart of :func:`rollup_refresh` for a writer that knows
    the counts before and after: ``INSERT … ON CONFLICT DO UPDATE`` adds
    each difference to its row (SQLite and PostgreSQL both have it), rows
    reaching 0 are deleted.  Should a row go below 0 (the summary was out of
    step with the counts), the keys are recomputed from the counts instead.

    On PostgreSQL all rows go in one statement, as one JSON text (a chunk
    of an import adds thousands of differences: a statement each would be a
    round trip each); the rows go in the order of their keys, so that two
    writers lock the rows they share in the same order.
    """
    deltas = {item: value for item, value in deltas.items() if value}
    if not deltas:
        return
    meta = ParticipantRollup._meta
    key_columns: list[str] = [_column(meta.get_field(name)) for name in _UPSERT_KEY]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in key_columns)
    participants = connection.ops.quote_name("participants")
    rows = sorted(
        (*key, dimension, category, value) for (key, dimension, category), value in deltas.items()
    )
    # Table and column names come from the model, every value is a parameter.
    upsert = (
        f"ON CONFLICT ({columns}) DO UPDATE SET "
        f"{participants} = {table}.{participants} + excluded.{participants}"
    )
    bump()  # raw SQL sends no signal (kembar.common.public_cache)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One statement, the rows as one JSON text read into the table's row type: no
                # round trip and no placeholder per value (psycopg quotes each in Python).
                names = [*key_columns, "participants"]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, {participants}) "  # noqa: S608
                    f"SELECT {columns}, {participants} "
                    f"FROM json_populate_recordset(NULL::{table}, %s::json) {upsert}",
                    [json.dumps([dict(zip(names, row, strict=True)) for row in rows])],
                )
            else:
                one = ", ".join(["%s"] * (len(key_columns) + 1))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}, {participants}) "  # noqa: S608
                    f"VALUES ({one}) {upsert}",
                    rows,
                )
    except IntegrityError:
        rollup_refresh(key for key, _dimension, _category in deltas)
        return
    if any(value < 0 for value in deltas.values()):
        ParticipantRollup.objects.filter(participants=0).delete()


def _column(field: Any) -> str:
    return str(field.column)


#: The unique key of a summary row, in the order of RollupKey and then dimension, category.
_UPSERT_KEY = (*RollupKey._fields, "dimension", "category")


def rollup_rebuild(*, demo_only: bool = False) -> int:
    """Recompute the whole summary (or the demonstration part); returns the rows written."""
    with transaction.atomic():
        existing = ParticipantRollup.objects.all()
        counts_filter = Q()
        if demo_only:
            existing = existing.filter(is_demo=True)
            counts_filter = Q(activity__is_demo=True)
        existing.delete()
        rows = _sums(counts_filter)
        ParticipantRollup.objects.bulk_create(rows, batch_size=2000)
        bump()
    return len(rows)


def rollup_differences() -> list[dict[str, Any]]:
    """Summary rows that differ from a fresh sum (empty when all is in step)."""

    def key(row: ParticipantRollup) -> tuple[Any, ...]:
        return (
            row.local_region_id,
            row.partnership_id,
            row.sector_id,
            row.kind,
            row.year,
            row.is_demo,
            row.dimension,
            row.category,
        )

    stored = {key(row): row.participants for row in ParticipantRollup.objects.all()}
    fresh = {key(row): row.participants for row in _sums(Q())}
    return [
        {"key": list(k), "stored": stored.get(k), "counted": fresh.get(k)}
        for k in sorted(set(stored) | set(fresh), key=str)
        if stored.get(k) != fresh.get(k)
    ]
