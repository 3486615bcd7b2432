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

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

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
    Indicator,
    IndicatorPeriod,
    ParticipantCount,
    Result,
)
from kembar.programs.rollup import (
    RollupDeltas,
    activity_rollup_key,
    rollup_add,
    rollup_count_deltas,
)

__all__ = ["CHUNK", "Applied", "Change", "changes_apply", "state_load"]

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
    """What one chunk did, to put back exactly: created pks, earlier values, history written."""

    created: dict[Any, list[Any]] = field(default_factory=dict)
    changed: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    removed: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    history: dict[Any, list[Any]] = field(default_factory=dict)
    rollup: RollupDeltas = field(default_factory=dict)

    def run(self) -> None:
        """Undo the chunk, in one transaction."""
        with transaction.atomic():
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
                names = [
                    item.attname for item in model._meta.concrete_fields if not item.primary_key
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
    per activity); the check reads it once and applying starts from it.
    """
    query = Activity.objects.filter(reference__in=references).select_related(
        "partnership__local_region", "agency__parent__parent"
    )
    if lock:
        query = query.select_for_update(of=("self",))
    activities = {activity.reference: activity for activity in query}
    ids = [activity.pk for activity in activities.values()]
    m2m = {
        name: _pairs(through.objects.filter(activity_id__in=ids).values_list("activity_id", column))
        for name, (through, column) in _M2M.items()
    }
    results = list(Result.objects.filter(activity_id__in=ids))
    indicators = list(Indicator.objects.filter(result__activity_id__in=ids))
    periods = list(IndicatorPeriod.objects.filter(indicator__result__activity_id__in=ids))
    return _State(
        activities=activities,
        m2m=m2m,
        participants=_by(
            ParticipantCount.objects.filter(activity_id__in=ids).select_related("home_region"),
            "activity_id",
        ),
        budget=_by(BudgetLine.objects.filter(activity_id__in=ids), "activity_id"),
        contributions=_by(Contribution.objects.filter(activity_id__in=ids), "activity_id"),
        results=_by(results, "activity_id"),
        indicators=_by(indicators, "result_id"),
        periods=_by(periods, "indicator_id"),
    )


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

    def _history(self, model: Any, objs: Sequence[Model], kind: str, reason: str) -> list[Any]:
        if not objs:
            return []
        history_model = model.history.model
        own = {
            "history_id": None,
            "history_date": self.now,
            "history_change_reason": reason,
            "history_type": kind,
            "history_user_id": getattr(self.actor, "pk", None),
        }
        names = [item.attname for item in history_model._meta.concrete_fields]
        # Positional arguments: Model.__init__ takes them several times faster than keywords.
        rows = [
            history_model(*[own[name] if name in own else getattr(obj, name) for name in names])
            for obj in objs
        ]
        written = history_model._default_manager.bulk_create(rows, batch_size=500)
        self.undo.history.setdefault(history_model, []).extend(row.pk for row in written)
        return written

    def write(self) -> None:
        undo = self.undo
        if self.new_activities:
            for activity in self.new_activities:
                activity.created_at = activity.updated_at = self.now
            Activity.objects.bulk_create(self.new_activities, batch_size=500)
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
            model._default_manager.bulk_create(objs, batch_size=500)
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
                through._default_manager.bulk_create(added, batch_size=500)
                undo.created.setdefault(through, []).extend(row.pk for row in added)
        if self.changed_activities:
            Activity.objects.bulk_update(
                self.changed_activities, list(_ATTNAMES.values()), batch_size=500
            )
        written = [
            *self._history(Activity, self.new_activities, "+", "imported"),
            *self._history(Activity, self.changed_activities, "~", "imported"),
        ]
        self._m2m_history(written)
        rollup_add(undo.rollup)

    def _m2m_history(self, records: Sequence[Any]) -> None:
        """Each new history record of an activity lists its SDG goals, targets, focus areas."""
        if not records:
            return
        by_activity = {record.id: record for record in records}
        for name, (through, column) in _M2M.items():
            m2m_model = _m2m_history_model(name)
            rows = through.objects.filter(activity_id__in=list(by_activity)).values_list(
                "id", "activity_id", column
            )
            made = m2m_model._default_manager.bulk_create(
                [
                    m2m_model(
                        id=row_id,
                        activity_id=activity_id,
                        history=by_activity[activity_id],
                        **{column: value},
                    )
                    for row_id, activity_id, value in rows
                ],
                batch_size=500,
            )
            self.undo.history.setdefault(m2m_model, []).extend(row.pk for row in made)


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
            if not locked:
                locked_now = dict(
                    Activity.objects.select_for_update()
                    .filter(reference__in=references)
                    .values_list("reference", "version")
                )
                if locked_now != expected:
                    raise _Moved
            writer.write()
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
            for earlier in reversed(done):
                gate.wait()
                began = time.perf_counter()
                earlier.run()
                gate.held(began)
            return Applied(refused=refused)
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
