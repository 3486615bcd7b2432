"""Applying a checked upload in bulk: short transactions, all or nothing, history kept.

:func:`changes_apply` writes what :mod:`kembar.programs.spreadsheet` checked,
activity by activity, as the services of :mod:`kembar.programs.activities`
would (the same records, the same "changed" rule, history by the importing
user), but with a few bulk statements per chunk of activities instead of a
few statements per row.

Why chunks, and how all or nothing holds
    On SQLite a write transaction holds the database's only write lock, so
    one transaction over 10,000 activities would stop every other writer
    (a form, an API call) for many seconds.  The activities are applied in
    chunks, each written in a transaction of its own that is sized to take
    about :data:`HOLD` (a quarter of a second; fewer activities when the
    machine is busy), so another writer waits for one chunk at most.  A
    chunk is read and planned outside any transaction (readers take no
    lock) and written only if none of its activities changed since; a chunk
    with nothing to change opens no transaction at all.  Between two chunks
    the lock stays free long enough for SQLite's polling busy handler to let
    a waiting writer in (:class:`_Gate`).  Everything was checked before the
    first chunk starts.

    When a later chunk is refused anyway (someone changed or created one of
    its activities since the check, or the database refuses a row), the
    chunks applied so far are undone, newest first, again in short
    transactions: every chunk keeps an undo log (the rows it created, the
    values of the rows it changed or removed before it did, the
    many-to-many rows, the history records it wrote, the differences it
    added to the participant summary), so the undo restores exactly what
    was there and deletes the history of what is undone.  With
    ``apply_valid`` a refused activity is left out and reported, and the
    others are applied.

    The price: while an import runs, someone who reads the activities may
    see the first chunks applied and not yet the rest, and, if the import
    is undone, a change that another writer made meanwhile to an activity of
    the same upload is overwritten by the undo (a window of seconds, and an
    undo happens only after a refusal).

The journal: when the process dies
    An import run by a job keeps each chunk's undo log in the database too
    (:class:`~kembar.programs.models.ImportUndo`, written in the chunk's
    transaction, under the job's :func:`undo_journal`), so a worker killed
    between two chunks leaves a journal of exactly what it committed.  The
    job's next run adds to it; when the job fails for good or ends refused,
    :func:`journal_rollback` undoes it all, newest first
    (:mod:`kembar.jobs.handlers`); when it ends applied it is cleared.

PostgreSQL
    It locks only the rows written, so its chunks may hold longer
    (:data:`HOLD_ROW_LOCKS`).  Many rows go in by COPY rather than
    ``bulk_create`` (:func:`_copy`: the values are written in C instead of
    being prepared and quoted one by one in Python), and a chunk's commit
    does not wait for the disk (:func:`_commit_lazily`).

Versions and history
    An activity the upload changes gets one new version and one history
    record ("imported"), however many of its rows changed; each row under it
    gets its own history record (reported, corrected or removed), dated the
    same instant, so a conflict check reading "the rows as of version n"
    sees them.  Nothing is written for an activity whose values are all the
    same.  The participant summary (:mod:`kembar.programs.rollup`) gets the
    differences of the counts, in the same transaction as the counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.programs.activities import (
    ACTIVITY_FIELDS,
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    ResultRow,
    to_idr,
)
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    CountSource,
    ImportUndo,
    Indicator,
    IndicatorPeriod,
    ParticipantCount,
    Result,
)
from kembar.programs.rollup import (
    RollupDeltas,
    RollupKey,
    activity_rollup_key,
    rollup_add,
    rollup_count_deltas,
)

__all__ = [
    "CHUNK",
    "Applied",
    "Change",
    "changes_apply",
    "journal_clear",
    "journal_rollback",
    "state_load",
    "undo_journal",
]

logger = logging.getLogger(__name__)

#: Activities in the first transaction; the next ones are sized so that each holds the
#: database for about :data:`HOLD` seconds (fewer when the machine is busy).
CHUNK = 100
#: How long one chunk's transaction should take on SQLite: another writer waits about this
#: long.  PostgreSQL locks only the chunk's rows, so its chunks may hold longer (fewer trips).
HOLD = 0.25
HOLD_ROW_LOCKS = 1.0
#: The fewest and most activities in one chunk.
CHUNK_RANGE = (10, 1000)
#: What the counts count (kembar.programs.spreadsheet.KINDS).
_KINDS = ("activities", "participants", "budget_lines", "contributions", "results")
_COUNTS = ("created", "updated", "unchanged", "removed")
_M2M: dict[str, tuple[Any, str]] = {
    "sdg_goals": (Activity.sdg_goals.through, "sdggoal_id"),
    "sdg_targets": (Activity.sdg_targets.through, "sdgtarget_id"),
    "focus_areas": (Activity.focus_areas.through, "focusarea_id"),
}
#: The column of each field of ACTIVITY_FIELDS (``partnership_id`` for ``partnership`` …).
_ATTNAMES = {
    name: getattr(Activity._meta.get_field(name), "attname", name)
    for name in (*ACTIVITY_FIELDS, "version", "updated_at")
}
#: Columns no import writes (kembar.participation.registrations counts them): an undo keeps them.
_COUNTED_BY_KEMBAR = frozenset({"participants_registered"})
Counts = dict[str, dict[str, int]]
Progress = Callable[[int], None]


def zero_counts() -> Counts:
    return {kind: dict.fromkeys(_COUNTS, 0) for kind in _KINDS}


@dataclass(slots=True)
class Change:
    """One activity of a checked upload: what the file says for it (None keeps what is there).

    ``checked_version`` is the version the check read (None: the activity
    was not in Kembar then); ``rows`` how many rows of the file it holds.
    """

    reference: str
    checked_version: int | None
    data: ActivityData | None = None
    participants: list[ParticipantRow] | None = None
    budget: list[BudgetRow] | None = None
    contributions: list[ContributionRow] | None = None
    results: list[ResultRow] = field(default_factory=list)
    rows: int = 1


@dataclass(slots=True)
class Applied:
    """What :func:`changes_apply` did: the activities applied, those refused and why, counts."""

    applied: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    counts: Counts = field(default_factory=zero_counts)


# --- The undo log ---------------------------------------------------------------------------


def _values(obj: Model) -> dict[str, Any]:
    return {item.attname: getattr(obj, item.attname) for item in obj._meta.concrete_fields}


@dataclass(slots=True)
class _Undo:
    """What one chunk did, to put back exactly: created pks, earlier values, history written.

    ``entry`` is the :class:`ImportUndo` row that keeps it in the database
    (an import run in a journal), deleted in the transaction that undoes it.
    """

    created: dict[Any, list[Any]] = field(default_factory=dict)
    changed: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    removed: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    history: dict[Any, list[Any]] = field(default_factory=dict)
    rollup: RollupDeltas = field(default_factory=dict)
    entry: int | None = None

    def dump(self) -> dict[str, Any]:
        """The log as JSON (models by label; values as DjangoJSONEncoder writes them)."""

        def by_label(items: dict[Any, Any]) -> dict[str, Any]:
            return {model._meta.label_lower: value for model, value in items.items() if value}

        def rows(items: dict[Any, list[dict[str, Any]]]) -> dict[str, Any]:
            return by_label(
                {
                    model: [{name: _jsonable(value) for name, value in row.items()} for row in got]
                    for model, got in items.items()
                }
            )

        return {
            "created": by_label(self.created),
            "changed": rows(self.changed),
            "removed": rows(self.removed),
            "history": by_label(self.history),
            "rollup": [
                [*key, dimension, category, value]
                for (key, dimension, category), value in self.rollup.items()
            ],
        }

    @classmethod
    def load(cls, log: dict[str, Any], entry: int | None = None) -> _Undo:
        """The log :meth:`dump` wrote, with its values as the models hold them."""

        def models(part: str) -> dict[Any, Any]:
            return {apps.get_model(label): value for label, value in log.get(part, {}).items()}

        def typed(model: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            fields = {item.attname: item for item in model._meta.concrete_fields}
            return [
                {name: fields[name].to_python(value) for name, value in row.items()} for row in rows
            ]

        width = len(RollupKey._fields)
        return cls(
            created=models("created"),
            changed={model: typed(model, rows) for model, rows in models("changed").items()},
            removed={model: typed(model, rows) for model, rows in models("removed").items()},
            history=models("history"),
            rollup={
                (RollupKey(*row[:width]), row[width], row[width + 1]): row[width + 2]
                for row in log.get("rollup", [])
            },
            entry=entry,
        )

    def run(self) -> bool:
        """Undo the chunk, in one transaction; False if its journal entry was undone already."""
        with transaction.atomic():
            if self.entry is not None and not ImportUndo.objects.filter(pk=self.entry).delete()[0]:
                return False  # another process undid it (two recoveries at once)
            _commit_lazily()
            for model, ids in self.history.items():
                for part in _parts(ids):
                    model._default_manager.filter(pk__in=part).delete()
            # Children before parents; the activities the chunk created go last.
            order = [
                *(through for through, _column in _M2M.values()),
                IndicatorPeriod,
                Indicator,
                Result,
                ParticipantCount,
                BudgetLine,
                Contribution,
            ]
            for model in order:
                for part in _parts(self.created.get(model, [])):
                    doomed = model._default_manager.filter(pk__in=part)
                    doomed._raw_delete(doomed.db)
            for model, earlier in self.changed.items():
                # participants_registered is counted by check-ins, never by an import: keep it.
                names = [
                    item.attname
                    for item in model._meta.concrete_fields
                    if not item.primary_key and item.attname not in _COUNTED_BY_KEMBAR
                ]
                model._default_manager.bulk_update(
                    [model(**values) for values in earlier], names, batch_size=500
                )
            for model, earlier in self.removed.items():
                model._default_manager.bulk_create(
                    [model(**values) for values in earlier], batch_size=500
                )
            for part in _parts(self.created.get(Activity, [])):
                doomed = Activity.objects.filter(pk__in=part)
                doomed._raw_delete(doomed.db)
            rollup_add({item: -value for item, value in self.rollup.items()})
        return True


def _jsonable(value: Any) -> Any:
    """``value`` for JSON, to read back exactly (DjangoJSONEncoder drops microseconds)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _parts(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- One chunk ------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__(", ".join(refused))
        self.refused = refused


@dataclass(slots=True)
class _State:
    """The activities of a chunk as saved now, with everything the upload may change."""

    activities: dict[str, Activity]
    m2m: dict[str, dict[int, set[Any]]]
    #: The counts officers typed (not those of registrations checked in).
    participants: dict[int, list[ParticipantCount]]
    budget: dict[int, list[BudgetLine]]
    contributions: dict[int, list[Contribution]]
    results: dict[int, list[Result]]
    indicators: dict[int, list[Indicator]]
    periods: dict[int, list[IndicatorPeriod]]

    def versions_of(self, references: Iterable[str]) -> dict[str, int]:
        return {
            reference: self.activities[reference].version
            for reference in references
            if reference in self.activities
        }


def _by(rows: Iterable[Any], attname: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, attname), []).append(row)
    return grouped


def state_load(references: Sequence[str], *, lock: bool = False) -> _State:
    """The activities of ``references`` as saved now, with all an upload may change, in bulk.

    One query per relation (Django's ``prefetch_related`` costs a queryset
    per activity); the check reads it once and applying starts from it.  The
    few partnerships, agencies and kecamatan the activities and counts point
    to are read once each and shared (``select_related`` would build one
    copy per row: most of the time of a re-check of 10,000 activities).
    """
    query = Activity.objects.filter(reference__in=references)
    if lock:
        query = query.select_for_update(of=("self",))
    activities = {activity.reference: activity for activity in query}
    _attach(activities.values(), "partnership", ("local_region",))
    _attach(activities.values(), "agency", ("parent__parent",))
    ids = {activity.pk for activity in activities.values()}
    of = _of_activities(ids, exact=lock)
    m2m = {
        name: _pairs(
            pair
            for pair in through.objects.filter(**of("activity_id")).values_list(
                "activity_id", column
            )
            if pair[0] in ids
        )
        for name, (through, column) in _M2M.items()
    }
    results = [r for r in Result.objects.filter(**of("activity_id")) if r.activity_id in ids]
    result_ids = {result.pk for result in results}
    indicators = [
        indicator
        for indicator in Indicator.objects.filter(**of("result__activity_id"))
        if indicator.result_id in result_ids
    ]
    indicator_ids = {indicator.pk for indicator in indicators}
    periods = [
        period
        for period in IndicatorPeriod.objects.filter(**of("indicator__result__activity_id"))
        if period.indicator_id in indicator_ids
    ]
    # The officers' counts: those of registrations checked in are not the upload's to change.
    counts = [
        c
        for c in ParticipantCount.objects.filter(**of("activity_id"), source=CountSource.OFFICER)
        if c.activity_id in ids
    ]
    _attach(counts, "home_region", ())
    budget = [b for b in BudgetLine.objects.filter(**of("activity_id")) if b.activity_id in ids]
    contributions = [
        c for c in Contribution.objects.filter(**of("activity_id")) if c.activity_id in ids
    ]
    return _State(
        activities=activities,
        m2m=m2m,
        participants=_by(counts, "activity_id"),
        budget=_by(budget, "activity_id"),
        contributions=_by(contributions, "activity_id"),
        results=_by(results, "activity_id"),
        indicators=_by(indicators, "result_id"),
        periods=_by(periods, "indicator_id"),
    )


def _of_activities(ids: set[int], *, exact: bool) -> Callable[[str], dict[str, Any]]:
    """The filter "belongs to one of the activities ``ids``" on a path to an activity's id.

    Django builds and binds every value of an ``__in`` list in Python, once
    per query: for 10,000 activities and nine queries a good part of a
    re-check.  The activities of an upload mostly have neighbouring ids, so
    when they are dense (at least half of the range) the filter is the range
    of their ids and the caller drops the rows of the others; ``exact`` (rows
    to lock) always lists them.
    """
    if ids and not exact and max(ids) - min(ids) < 2 * len(ids):
        low, high = min(ids), max(ids)
        return lambda path: {f"{path}__gte": low, f"{path}__lte": high}
    listed = sorted(ids)
    return lambda path: {f"{path}__in": listed}


def _attach(rows: Iterable[Model], name: str, related: tuple[str, ...]) -> None:
    """Set the foreign key ``name`` of every row to one shared instance per target, read once.

    As ``select_related(name, *related)`` would (``related`` followed from
    the target), in one query for the distinct targets instead of a copy per
    row; an empty key stays None.
    """
    rows = list(rows)
    if not rows:
        return
    key = rows[0]._meta.get_field(name)
    attname = key.attname  # type: ignore[union-attr]
    model: Any = key.related_model
    wanted = {getattr(row, attname) for row in rows} - {None}
    found = model._default_manager.select_related(*related).in_bulk(wanted) if wanted else {}
    for row in rows:
        key.set_cached_value(row, found.get(getattr(row, attname)))  # type: ignore[union-attr]


def _versions(references: Sequence[str]) -> dict[str, int]:
    return dict(
        Activity.objects.filter(reference__in=references).values_list("reference", "version")
    )


def _pairs(rows: Iterable[tuple[int, Any]]) -> dict[int, set[Any]]:
    found: dict[int, set[Any]] = {}
    for activity_id, value in rows:
        found.setdefault(activity_id, set()).add(value)
    return found


def _count(counts: dict[str, int], existing: dict[Any, Any], wanted: dict[Any, Any]) -> None:
    for key, value in wanted.items():
        if key not in existing:
            counts["created"] += 1
        elif existing[key] != value:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    counts["removed"] += sum(1 for key in existing if key not in wanted)


def _participant_key(count: ParticipantCount) -> tuple[str, str, str, str, str]:
    return (count.side, count.group, count.gender, count.age_band, count.home_region_id or "")


class _Chunk:
    """Plans the writes of one chunk from the state now, then makes them in bulk."""

    def __init__(self, actor: Any, state: _State, undo: _Undo, *, demo: bool) -> None:
        self.actor = actor
        self.demo = demo
        self.state = state
        self.undo = undo
        self.now = timezone.now()
        self.counts = zero_counts()
        self.new_activities: list[Activity] = []
        self.changed_activities: list[Activity] = []
        self.m2m_add: list[Any] = []
        self.m2m_remove_models: dict[Any, list[tuple[int, Any]]] = {}
        self.create: dict[Any, list[Any]] = {}
        self.update: dict[Any, list[Any]] = {}
        self.remove: dict[Any, list[Any]] = {}
        self.results: list[tuple[Result, Indicator, IndicatorPeriod, bool, bool, bool]] = []
        #: Activities whose summary key changes (year, sector …), with the key they had.
        self.moved: list[tuple[Activity, RollupKey]] = []

    # Planning
    def _changed(self, model: type[Model], obj: Model) -> None:
        self.undo.changed.setdefault(model, []).append(_values(obj))

    def plan(self, change: Change) -> None:
        activity = self.state.activities.get(change.reference)
        created = activity is None
        before = None if activity is None else _values(activity)
        key_before = None if activity is None else activity_rollup_key(activity)
        counted = [
            (c.side, c.group, c.gender, c.age_band, c.home_region_id, c.count)
            for c in ([] if activity is None else self.state.participants.get(activity.pk, []))
        ]
        changed = False
        if change.data is not None:
            data = change.data
            if activity is None:
                activity = Activity(
                    reference=data.reference,
                    is_demo=self.demo,
                    created_by=None if self.demo else self.actor,
                    version=1,
                )
                for name in ACTIVITY_FIELDS:
                    setattr(activity, name, getattr(data, name))
                self.new_activities.append(activity)
            else:
                for name in ACTIVITY_FIELDS:
                    wanted = getattr(data, name)
                    attname = _ATTNAMES[name]
                    wanted_value = wanted.pk if isinstance(wanted, Model) else wanted
                    if getattr(activity, attname) != wanted_value:
                        setattr(activity, name, wanted)
                        changed = True
            changed = self._plan_m2m(activity, data, created=created) or changed
        if activity is None:
            return
        if change.participants is not None:
            changed = self._plan_participants(activity, change.participants) or changed
        if change.data is not None:
            state = "created" if created else "updated" if changed else "unchanged"
            self.counts["activities"][state] += 1
        if change.budget is not None:
            changed = self._plan_budget(activity, change.budget) or changed
        if change.contributions is not None:
            changed = self._plan_contributions(activity, change.contributions) or changed
        for row in change.results:
            changed = self._plan_result(activity, row) or changed
        if not changed:
            return
        if key_before is not None:
            rollup_count_deltas(self.undo.rollup, key_before, counted, -1)
        if change.participants is not None:
            counted = [
                (row.side, row.group, row.gender, row.age_band, row.key[4] or None, row.count)
                for row in change.participants
                if row.count > 0
            ]
        rollup_count_deltas(self.undo.rollup, activity_rollup_key(activity), counted, 1)
        if key_before is not None and key_before != activity_rollup_key(activity):
            self.moved.append((activity, key_before))
        if before is not None:
            self.undo.changed.setdefault(Activity, []).append(before)
            activity.version += 1
            activity.updated_at = self.now
            self.changed_activities.append(activity)

    def _plan_m2m(self, activity: Activity, data: ActivityData, *, created: bool) -> bool:
        goals = {goal.pk for goal in data.sdg_goals} | {t.goal_id for t in data.sdg_targets}
        wanted: dict[str, set[Any]] = {
            "sdg_goals": goals,
            "sdg_targets": {target.pk for target in data.sdg_targets},
            "focus_areas": {area.pk for area in data.focus_areas},
        }
        changed = False
        for name, (through, column) in _M2M.items():
            have: set[Any] = set() if created else self.state.m2m[name].get(activity.pk, set())
            if have == wanted[name]:
                continue
            changed = True
            for value in sorted(wanted[name] - have, key=str):
                self.m2m_add.append(through(activity=activity, **{column: value}))
            for value in have - wanted[name]:
                self.m2m_remove_models.setdefault(through, []).append((activity.pk, value))
        return changed

    def _plan_participants(self, activity: Activity, rows: Sequence[ParticipantRow]) -> bool:
        existing = {_participant_key(c): c for c in self.state.participants.get(activity.pk, [])}
        wanted = {row.key: row for row in rows if row.count > 0}
        _count(
            self.counts["participants"],
            {key: count.count for key, count in existing.items()},
            {key: row.count for key, row in wanted.items()},
        )
        changed = False
        for key, count in existing.items():
            if key not in wanted:
                self.remove.setdefault(ParticipantCount, []).append(count)
                changed = True
            elif count.count != wanted[key].count:
                self._changed(ParticipantCount, count)
                count.count = wanted[key].count
                self.update.setdefault(ParticipantCount, []).append(count)
                changed = True
        for key, row in wanted.items():
            if key not in existing:
                self.create.setdefault(ParticipantCount, []).append(row.for_activity(activity))
                changed = True
        return changed

    def _replace(
        self,
        model: type[Model],
        existing: dict[Any, Any],
        wanted: dict[Any, dict[str, Any]],
        make: Callable[[Any], Model],
    ) -> bool:
        changed = False
        for key, obj in existing.items():
            if key not in wanted:
                self.remove.setdefault(model, []).append(obj)
                changed = True
        for key, values in wanted.items():
            obj = existing.get(key)
            if obj is None:
                obj = make(key)
                for name, value in values.items():
                    setattr(obj, name, value)
                self.create.setdefault(model, []).append(obj)
                changed = True
            elif any(getattr(obj, name) != value for name, value in values.items()):
                self._changed(model, obj)
                for name, value in values.items():
                    setattr(obj, name, value)
                self.update.setdefault(model, []).append(obj)
                changed = True
        return changed

    def _plan_budget(self, activity: Activity, rows: Sequence[BudgetRow]) -> bool:
        existing = {
            (line.source, line.kind): line for line in self.state.budget.get(activity.pk, [])
        }
        _count(
            self.counts["budget_lines"],
            {k: (b.amount, b.currency, b.rate_to_idr, b.note) for k, b in existing.items()},
            {(r.source, r.kind): (r.amount, r.currency, r.rate_to_idr, r.note) for r in rows},
        )
        wanted = {
            (row.source, row.kind): {
                "amount": row.amount,
                "currency": row.currency,
                "rate_to_idr": row.rate_to_idr,
                "amount_idr": to_idr(row.amount, row.rate_to_idr),
                "note": row.note,
            }
            for row in rows
        }
        return self._replace(
            BudgetLine,
            existing,
            wanted,
            lambda key: BudgetLine(activity=activity, source=key[0], kind=key[1]),
        )

    def _plan_contributions(self, activity: Activity, rows: Sequence[ContributionRow]) -> bool:
        existing = {
            (c.side, c.form, c.description): c
            for c in self.state.contributions.get(activity.pk, [])
        }
        _count(
            self.counts["contributions"],
            {k: (c.value, c.currency, c.rate_to_idr) for k, c in existing.items()},
            {
                (r.side, r.form, r.description.strip()): (r.value, r.currency, r.rate_to_idr)
                for r in rows
            },
        )
        wanted = {
            (row.side, row.form, row.description.strip()): {
                "value": row.value,
                "currency": row.currency,
                "rate_to_idr": row.rate_to_idr,
                "value_idr": None if row.value is None else to_idr(row.value, row.rate_to_idr),
            }
            for row in rows
        }
        return self._replace(
            Contribution,
            existing,
            wanted,
            lambda key: Contribution(
                activity=activity, side=key[0], form=key[1], description=key[2]
            ),
        )

    def _upsert(
        self,
        model: type[Model],
        pool: list[Any],
        match: Callable[[Any], bool],
        make: Callable[[], Model],
        values: dict[str, Any],
    ) -> tuple[Any, bool, bool]:
        """The row of ``pool`` that ``match``es, made and added if none; (row, created, changed)."""
        obj = next((item for item in pool if match(item)), None)
        if obj is None:
            obj = make()
            for name, value in values.items():
                setattr(obj, name, value)
            pool.append(obj)
            self.create.setdefault(model, []).append(obj)
            return obj, True, True
        if any(getattr(obj, name) != value for name, value in values.items()):
            if obj.pk is not None and obj not in self.update.get(model, []):
                self._changed(model, obj)
                self.update.setdefault(model, []).append(obj)
            for name, value in values.items():
                setattr(obj, name, value)
            return obj, False, True
        return obj, False, False

    def _plan_result(self, activity: Activity, row: ResultRow) -> bool:
        standard = row.standard
        indicator_title = row.indicator_title.strip() or (standard.name_id if standard else "")
        unit = row.unit.strip() or (standard.unit_id if standard else "")
        title = row.result_title.strip()
        results = self.state.results.setdefault(activity.pk or id(activity), [])
        result, _new, result_changed = self._upsert(
            Result,
            results,
            lambda item: item.level == row.level and item.title == title,
            lambda: Result(activity=activity, level=row.level, title=title),
            {},
        )
        indicators = self.state.indicators.setdefault(result.pk or id(result), [])
        indicator, _new, indicator_changed = self._upsert(
            Indicator,
            indicators,
            lambda item: item.title == indicator_title,
            lambda: Indicator(result=result, title=indicator_title),
            {
                "standard_id": standard.pk if standard else None,
                "unit": unit,
                "higher_is_better": row.higher_is_better,
                "baseline_year": row.baseline_year,
                "baseline_value": row.baseline_value,
            },
        )
        periods = self.state.periods.setdefault(indicator.pk or id(indicator), [])
        _period, existed_not, period_changed = self._upsert(
            IndicatorPeriod,
            periods,
            lambda item: item.period_start == row.period_start,
            lambda: IndicatorPeriod(indicator=indicator, period_start=row.period_start),
            {"period_end": row.period_end, "target": row.target, "actual": row.actual},
        )
        changed = result_changed or indicator_changed or period_changed
        state = "created" if existed_not else "updated" if changed else "unchanged"
        self.counts["results"][state] += 1
        return changed

    # Writing
    def empty(self) -> bool:
        """Whether the plan writes nothing (every value already as the file says)."""
        return not (
            self.new_activities
            or self.changed_activities
            or self.create
            or self.update
            or self.remove
            or self.m2m_add
            or self.m2m_remove_models
        )

    def _history(self, model: Any, objs: Sequence[Model], kind: str, reason: str) -> dict[Any, Any]:
        """Write a history record of each of ``objs``: {the object's key: its record's key}."""
        if not objs:
            return {}
        history_model = model.history.model
        own = {
            "history_id": None,
            "history_date": self.now,
            "history_change_reason": reason,
            "history_type": kind,
            "history_user_id": getattr(self.actor, "pk", None),
        }
        names = [item.attname for item in history_model._meta.concrete_fields]
        values = [
            [own[name] if name in own else getattr(obj, name) for name in names] for obj in objs
        ]
        if _copies(len(values)):
            keys = _copy(history_model, names, values)
        else:
            # Positional arguments: Model.__init__ takes them several times faster than keywords.
            rows = [history_model(*row) for row in values]
            history_model._default_manager.bulk_create(rows, batch_size=500)
            keys = [row.pk for row in rows]
        self.undo.history.setdefault(history_model, []).extend(keys)
        return {obj.pk: key for obj, key in zip(objs, keys, strict=True)}

    def write(self) -> None:
        undo = self.undo
        if self.new_activities:
            for activity in self.new_activities:
                activity.created_at = activity.updated_at = self.now
            _insert(Activity, self.new_activities)
            undo.created.setdefault(Activity, []).extend(a.pk for a in self.new_activities)
        # Rows removed, then created, then corrected: the natural keys stay unique throughout.
        for model, objs in self.remove.items():
            self._history(model, objs, "-", "removed")
            undo.removed.setdefault(model, []).extend(_values(obj) for obj in objs)
            for part in _parts([obj.pk for obj in objs]):
                rows = model._default_manager.filter(pk__in=part)
                rows._raw_delete(rows.db)
        for model in (
            ParticipantCount,
            BudgetLine,
            Contribution,
            Result,
            Indicator,
            IndicatorPeriod,
        ):
            objs = self.create.get(model, [])
            if not objs:
                continue
            _insert(model, objs)
            undo.created.setdefault(model, []).extend(obj.pk for obj in objs)
            self._history(model, objs, "+", "reported")
        for model, objs in self.update.items():
            names = sorted(
                {
                    item.attname
                    for item in model._meta.concrete_fields
                    if not item.primary_key and not item.is_relation
                }
                | ({"standard_id"} if model is Indicator else set())
            )
            model._default_manager.bulk_update(objs, names, batch_size=500)
            self._history(model, objs, "~", "corrected")
        for through, pairs in self.m2m_remove_models.items():
            column = next(c for t, c in _M2M.values() if t is through)
            present = list(through.objects.filter(activity_id__in={pk for pk, _value in pairs}))
            wanted = set(pairs)
            gone = [row for row in present if (row.activity_id, getattr(row, column)) in wanted]
            undo.removed.setdefault(through, []).extend(_values(row) for row in gone)
            through.objects.filter(pk__in=[row.pk for row in gone]).delete()
        if self.m2m_add:
            for row in self.m2m_add:
                row.activity_id = row.activity.pk
            by_model: dict[Any, list[Any]] = {}
            for row in self.m2m_add:
                by_model.setdefault(type(row), []).append(row)
            for through, added in by_model.items():
                _insert(through, added)
                undo.created.setdefault(through, []).extend(row.pk for row in added)
        if self.changed_activities:
            Activity.objects.bulk_update(
                self.changed_activities, list(_ATTNAMES.values()), batch_size=500
            )
        written = {
            **self._history(Activity, self.new_activities, "+", "imported"),
            **self._history(Activity, self.changed_activities, "~", "imported"),
        }
        self._m2m_history(written)
        self._move_registered()
        rollup_add(undo.rollup)

    def _move_registered(self) -> None:
        """Move the counts of registrations checked in with their activity's summary key.

        The plan moves the officers' counts it read; these are read here,
        in the writing transaction after the activities are locked (a
        check-in updates its activity's row first), so that the summary
        moves exactly what is counted now.
        """
        if not self.moved:
            return
        before = {activity.pk: key for activity, key in self.moved}
        after = {activity.pk: activity_rollup_key(activity) for activity, _key in self.moved}
        rows = ParticipantCount.objects.filter(
            activity_id__in=list(before), source=CountSource.REGISTRATIONS
        ).values_list(
            "activity_id", "side", "group", "gender", "age_band", "home_region_id", "count"
        )
        for activity_id, side, group, gender, age_band, home, people in rows:
            cells = [(side, group, gender, age_band, home, people)]
            rollup_count_deltas(self.undo.rollup, before[activity_id], cells, -1)
            rollup_count_deltas(self.undo.rollup, after[activity_id], cells, 1)

    def _m2m_history(self, records: dict[Any, Any]) -> None:
        """Each new history record of an activity lists its SDG goals, targets, focus areas."""
        if not records:
            return
        by_activity = records  # the activity's key: its new history record's
        # Activities all created by this chunk: their rows are the ones it added (no query).
        created = {activity.pk for activity in self.new_activities}
        for name, (through, column) in _M2M.items():
            m2m_model = _m2m_history_model(name)
            rows: Iterable[tuple[Any, Any, Any]] = (
                [
                    (row.pk, row.activity_id, getattr(row, column))
                    for row in self.m2m_add
                    if isinstance(row, through) and row.activity_id in by_activity
                ]
                if by_activity.keys() <= created
                else through.objects.filter(activity_id__in=list(by_activity)).values_list(
                    "id", "activity_id", column
                )
            )
            made = [
                m2m_model(
                    id=row_id,
                    activity_id=activity_id,
                    history_id=by_activity[activity_id],
                    **{column: value},
                )
                for row_id, activity_id, value in rows
            ]
            _insert(m2m_model, made)
            self.undo.history.setdefault(m2m_model, []).extend(row.pk for row in made)


#: Fewer rows than this go in by ``bulk_create`` (COPY costs a query more, for the keys).
COPY_FROM = 100


def _copies(rows: int) -> bool:
    """Whether ``rows`` rows go in by COPY (:func:`_copy`) rather than ``bulk_create``."""
    return connection.vendor == "postgresql" and rows >= COPY_FROM


def _insert(model: Any, objs: Sequence[Model]) -> None:
    """Insert ``objs`` and give them their primary keys, as ``bulk_create`` does.

    On PostgreSQL many rows go in by COPY (:func:`_copy`).
    """
    if not objs:
        return
    if not _copies(len(objs)):
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    fields = list(model._meta.concrete_fields)
    parents: list[Any] = [item for item in fields if item.many_to_one]
    stamped = [
        item
        for item in fields
        if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False)
    ]
    for obj in objs:
        # As bulk_create: the key of a parent saved since (an activity of this chunk).
        for item in parents:
            if getattr(obj, item.attname) is None and item.is_cached(obj):
                parent = item.get_cached_value(obj)
                if parent is not None:
                    setattr(obj, item.attname, parent.pk)
        for item in stamped:
            item.pre_save(obj, True)
    names = [item.attname for item in fields]
    keys = _copy(model, names, [[getattr(obj, name) for name in names] for obj in objs])
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


def _copy(model: Any, names: Sequence[str], rows: list[list[Any]]) -> list[Any]:
    """COPY ``rows`` (values of the columns ``names``, as attnames) into ``model``'s table.

    psycopg writes the rows in C, where ``bulk_create`` prepares every value
    in Python and psycopg then merges each into the statement's text (most
    of the time of a chunk).  Rows without a primary key get one from the
    table's sequence first, in one query.  The values are the plain ones of
    these models (text, numbers, dates, keys).  Returns the primary keys.
    """
    meta = model._meta
    at = list(names).index(meta.pk.attname)
    quote = connection.ops.quote_name
    # Table and column names come from the model; every value is a parameter or copied.
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    with connection.wrap_database_errors, connection.cursor() as cursor:
        keyless = [row for row in rows if row[at] is None]
        if keyless:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, meta.pk.column, len(keyless)],
            )
            for row, (key,) in zip(keyless, cursor.fetchall(), strict=True):
                row[at] = key
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return [row[at] for row in rows]


def _m2m_history_model(name: str) -> Any:
    history_model = Activity.history.model
    for relation in history_model._meta.related_objects:
        related = relation.related_model
        if isinstance(related, type) and related.__name__ == f"{history_model.__name__}_{name}":
            return related
    raise LookupError(name)


# --- All chunks -----------------------------------------------------------------------------


def _stale(change: Change, activity: Activity | None) -> str | None:
    """Why ``change`` no longer applies to what is saved now, or None."""
    if change.checked_version is None and activity is not None:
        return _("Another activity already has this reference.")
    if change.checked_version is not None and (
        activity is None or activity.version != change.checked_version
    ):
        return _(
            "The activity %(reference)s was changed by someone else while the file was being "
            "applied."
        ) % {"reference": change.reference}
    return None


def _commit_lazily() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches the disk.

    A chunk's commit then costs no disk flush of its own (tens of
    milliseconds each on a slow disk).  The database stays consistent: a
    crash can lose only the last few such commits, whole, with the undo log
    written in them; and the import's next ordinary commit (its upload log,
    the job's end) flushes them all, since the WAL is flushed in order.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


class _Moved(Exception):
    """An activity of the chunk changed between planning and writing: plan again, locked."""


def _apply_chunk(
    actor: Any,
    chunk: Sequence[Change],
    *,
    apply_valid: bool,
    demo: bool,
    locked: bool,
    gate: _Gate,
    preloaded: _State | None,
) -> tuple[_Undo, Counts, dict[str, str], list[str]]:
    """Apply one chunk; its undo log, counts, refusals and the activities applied.

    The chunk is read and planned outside any transaction (reads hold no
    lock), then written in one short transaction that first checks that none
    of its activities changed meanwhile (else :class:`_Moved`).  A chunk with
    nothing to write opens no transaction at all.  ``locked`` reads and plans
    inside the writing transaction instead (after a :class:`_Moved`).
    """
    undo = _Undo()
    references = [change.reference for change in chunk]
    if locked:
        gate.wait()
    began = time.perf_counter()
    reading: AbstractContextManager[Any] = transaction.atomic() if locked else nullcontext()
    with reading:
        state = None if locked else preloaded
        if state is not None and _versions(references) != state.versions_of(references):
            state = None  # someone changed or created one of them since the check: read again
        state = state or state_load(references, lock=locked)
        refused: dict[str, str] = {}
        todo: list[Change] = []
        for change in chunk:
            reason = _stale(change, state.activities.get(change.reference))
            if reason is None:
                todo.append(change)
            else:
                refused[change.reference] = reason
        if refused and not apply_valid:
            raise _Refused(refused)
        expected = state.versions_of(references)  # planning raises the versions it writes
        writer = _Chunk(actor, state, undo, demo=demo)
        for change in todo:
            writer.plan(change)
        if writer.empty():
            return undo, writer.counts, refused, [change.reference for change in todo]
        if not locked:
            gate.wait()
            began = time.perf_counter()
        with transaction.atomic():
            _commit_lazily()
            if not locked:
                locked_now = dict(
                    Activity.objects.select_for_update()
                    .filter(reference__in=references)
                    .values_list("reference", "version")
                )
                if locked_now != expected:
                    raise _Moved
            writer.write()
            if (journal := _JOURNAL.get()) is not None:
                undo.entry = ImportUndo.objects.create(journal=journal, log=undo.dump()).pk
    gate.held(began)
    return undo, writer.counts, refused, [change.reference for change in todo]


class _Gate:
    """Spaces the import's write transactions on SQLite so that waiting writers get in.

    SQLite's busy handler polls, sleeping longer the longer it has waited (up
    to 100 ms between tries), so a lock released and taken again at once
    could starve another writer.  After holding the lock for ``t`` the
    import leaves it free for ``min(100 ms, t / 2)`` before it writes again;
    reading and planning the next chunk (no lock) usually fills that time.
    """

    def __init__(self) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.free_until = 0.0
        self.last = 0.0

    def wait(self) -> None:
        if self.sqlite and (delay := self.free_until - time.perf_counter()) > 0:
            time.sleep(delay)

    def held(self, began: float) -> None:
        now = time.perf_counter()
        self.last = now - began
        self.free_until = now + min(0.1, self.last / 2 + 0.005)

    def next_size(self, size: int) -> int:
        """The next chunk's size, so that its transaction takes about :data:`HOLD`.

        A chunk that wrote nothing held no lock: the next one may be twice as large.
        """
        low, high = CHUNK_RANGE
        if self.last <= 0:
            return max(low, min(high, 2 * size))
        hold = HOLD if self.sqlite else HOLD_ROW_LOCKS
        return max(low, min(high, int(size * hold / self.last), 2 * size))


def changes_apply(
    *,
    actor: Any,
    changes: Sequence[Change],
    apply_valid: bool,
    demo: bool = False,
    progress: Progress | None = None,
    chunk: int | None = None,
    preloaded: _State | None = None,
) -> Applied:
    """Apply checked ``changes`` in chunks of short transactions, all or nothing by default.

    ``progress`` is called after each chunk with the rows applied so far.
    The chunks start at :data:`CHUNK` activities (or ``chunk``, then fixed)
    and are sized so that each transaction takes about :data:`HOLD`.
    ``preloaded`` is the :func:`state_load` the check read: a chunk whose
    activities still have the versions it holds is planned from it.
    With ``demo`` the activities created are demonstration records, created
    by no one.
    Without ``apply_valid`` a refused chunk undoes the chunks before it and
    nothing stays applied; ``refused`` then says why.
    """
    fixed = chunk is not None
    chunk = chunk or CHUNK
    outcome = Applied()
    done: list[_Undo] = []
    rows = 0
    gate = _Gate()
    start, size = 0, chunk
    while start < len(changes):
        part = changes[start : start + size]
        start += len(part)
        gate.last = 0.0
        try:
            try:
                undo, counts, refused, applied = _apply_chunk(
                    actor,
                    part,
                    apply_valid=apply_valid,
                    demo=demo,
                    locked=False,
                    gate=gate,
                    preloaded=preloaded,
                )
            except (_Moved, IntegrityError):
                # Someone changed or created one of these activities meanwhile: read again, locked.
                gate.held(time.perf_counter())
                undo, counts, refused, applied = _apply_chunk(
                    actor,
                    part,
                    apply_valid=apply_valid,
                    demo=demo,
                    locked=True,
                    gate=gate,
                    preloaded=None,
                )
        except (_Refused, IntegrityError) as error:
            refused = (
                error.refused
                if isinstance(error, _Refused)
                else {part[0].reference: _("The activity could not be saved.")}
            )
            _undo_all(done, gate)
            return Applied(refused=refused)
        except Exception:
            # The database refused something else (or went away): undo what can be undone.
            # What cannot stays in the journal, if any, for the job's end to undo.
            try:
                _undo_all(done, gate)
            except Exception:
                logger.exception("An import that failed could not be undone")
            raise
        done.append(undo)
        outcome.refused.update(refused)
        outcome.applied.extend(applied)
        for kind, numbers in counts.items():
            for name, value in numbers.items():
                outcome.counts[kind][name] += value
        rows += sum(change.rows for change in part)
        if progress is not None:
            progress(rows)
        if not fixed:
            size = gate.next_size(size)
    return outcome


def _undo_all(done: Sequence[_Undo], gate: _Gate) -> None:
    """Undo the chunks ``done``, newest first, each in a short transaction."""
    for earlier in reversed(done):
        gate.wait()
        began = time.perf_counter()
        earlier.run()
        gate.held(began)


# --- The journal: undo logs kept in the database --------------------------------------------

#: The journal the imports of this context keep their undo logs in (None: memory only).
_JOURNAL: ContextVar[str | None] = ContextVar("kembar_import_journal", default=None)


@contextmanager
def undo_journal(journal: str) -> Iterator[None]:
    """Keep the undo log of every chunk applied inside in the database, under ``journal``.

    Each log is written in the transaction of its chunk, so the journal
    holds exactly what is applied and not yet undone, even when the process
    is killed.  The caller ends the journal: :func:`journal_clear` when the
    import's outcome stands, :func:`journal_rollback` when it must be as if
    the import never ran (its job failed for good or was refused).  A job
    uses its id: its runs after a dying worker add to the same journal.
    """
    token = _JOURNAL.set(journal)
    try:
        yield
    finally:
        _JOURNAL.reset(token)


def journal_rollback(journal: str) -> int:
    """Undo every chunk kept in ``journal``, newest first, in short transactions; how many.

    Safe to run again after it was cut short, and by two processes at once:
    each log is deleted in the transaction that undoes it.
    """
    gate = _Gate()
    undone = 0
    while True:
        entry = (
            ImportUndo.objects.filter(journal=journal).order_by("-pk").values("pk", "log").first()
        )
        if entry is None:
            return undone
        gate.wait()
        began = time.perf_counter()
        if _Undo.load(entry["log"], entry=entry["pk"]).run():
            undone += 1
        gate.held(began)


def journal_clear(journal: str) -> int:
    """Forget the undo logs of ``journal`` (the import's outcome stands); how many there were."""
    return int(ImportUndo.objects.filter(journal=journal).delete()[0])
