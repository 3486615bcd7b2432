"""The version check of an activity: one version for the record and all that is recorded under it.

Every write to an activity (its fields, or a replacement of its participants,
money, results or trip report) locks the activity's row, compares the version
the user read, and raises the version by one when it changed anything, so two
people working on the same activity never overwrite each other unseen.  A
stale write gets an :class:`~kembar.common.versioning.EditConflict` listing
what changed, set by set: what the user started from (rebuilt from the
history), what is saved now, and what the user sent.

The version is raised *after* the rows under the activity change, so "the
rows as of the newest history record of version n" is exactly version n.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Field, Model
from django.utils.formats import localize
from django.utils.translation import gettext as _

from kembar.common.versioning import (
    EditConflict,
    conflict_from_history,
    display,
    lock_version,
)
from kembar.programs.checks import stamp
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    CountSource,
    IndicatorPeriod,
    ParticipantCount,
    Traveller,
    TripReport,
)

__all__ = [
    "activity_bump",
    "activity_lock",
    "display",
    "lines",
    "result_line",
    "set_labels",
    "trip_lines",
]

#: The activity's many-to-many fields, and the column of each in its history.
M2M_FIELDS = {"sdg_goals": "sdggoal", "sdg_targets": "sdgtarget", "focus_areas": "focusarea"}


def set_labels() -> dict[str, str]:
    """The names of the sets recorded under an activity, as a conflict names them."""
    return {
        "participants": _("Participant breakdown"),
        "budget": _("Budget and spending by source"),
        "contributions": _("Contributions each way"),
        "results": _("Results"),
        "trip_report": _("Trip report"),
    }


def _labels() -> dict[str, str]:
    labels = {
        field.name: str(field.verbose_name)
        for field in Activity._meta.get_fields()
        if isinstance(field, Field) and field.editable
    }
    return {**labels, **set_labels()}


# --- Snapshots: the activity now, or as its history says it was at a version -----------------


def _as_of(model: Any, when: datetime | None, **lookup: Any) -> list[Any]:
    """The rows of ``model`` matching ``lookup`` now, or as the history says they were."""
    if when is None:
        return list(model.objects.filter(**lookup))
    records = model.history.filter(history_date__lte=when, **lookup).latest_of_each()
    return [record for record in records if record.history_type != "-"]


def _participant_line(row: Any) -> str:
    home = row.home_region.name if row.home_region_id else _("outside the city")
    return (
        f"{row.get_side_display()} · {row.get_group_display()} · {row.get_gender_display()} · "
        f"{row.get_age_band_display()} · {home}: {row.count}"
    )


def _budget_line(row: Any) -> str:
    amount = localize(row.amount)
    text = f"{row.get_source_display()} · {row.get_kind_display()}: {amount} {row.currency}"
    return text + (f" ({row.note})" if row.note else "")


def _contribution_line(row: Any) -> str:
    value = f": {localize(row.value)} {row.currency}" if row.value is not None else ""
    return f"{row.get_side_display()} · {row.get_form_display()} · {row.description}{value}"


def _period_line(row: Any) -> str:
    indicator = row.indicator
    return result_line(
        indicator.result.title,
        indicator.title,
        row.period_start,
        row.period_end,
        row.target,
        row.actual,
    )


def trip_lines(
    purpose: str, outputs: str, days: int, cost_idr: Any, travellers: Iterable[Any]
) -> list[str]:
    """A trip report as a conflict shows it: its texts, then who travelled."""
    return [
        _("Purpose: %(text)s") % {"text": purpose},
        _("Outputs: %(text)s") % {"text": outputs},
        _("Days away: %(days)s; cost: %(cost)s IDR") % {"days": days, "cost": localize(cost_idr)},
        *sorted(f"{t.role} ({t.organisation}) × {t.count}" for t in travellers),
    ]


def _trip_lines(pk: int, when: datetime | None) -> list[str]:
    reports = _as_of(TripReport, when, activity_id=pk)
    if not reports:
        return []
    report = reports[0]
    travellers = _as_of(Traveller, when, report_id=report.id)
    return trip_lines(report.purpose, report.outputs, report.days, report.cost_idr, travellers)


def result_line(
    result_title: str, indicator_title: str, start: Any, end: Any, target: Any, actual: Any
) -> str:
    """One period of an indicator as a conflict shows it."""
    return f"{result_title} / {indicator_title} {localize(start)}–{localize(end)}: " + _(
        "target %(target)s, actual %(actual)s"
    ) % {
        "target": localize(target) if target is not None else "—",
        "actual": localize(actual) if actual is not None else "—",
    }


#: How each set under an activity reads as lines, now (``when`` None) or at a time.
SETS: dict[str, Callable[[int, datetime | None], list[str]]] = {
    # The breakdown officers typed: the counts of registrations checked in are no one's edit.
    "participants": lambda pk, when: sorted(
        _participant_line(row)
        for row in _as_of(ParticipantCount, when, activity_id=pk, source=CountSource.OFFICER)
    ),
    "budget": lambda pk, when: sorted(
        _budget_line(row) for row in _as_of(BudgetLine, when, activity_id=pk)
    ),
    "contributions": lambda pk, when: sorted(
        _contribution_line(row) for row in _as_of(Contribution, when, activity_id=pk)
    ),
    "results": lambda pk, when: sorted(
        _period_line(row)
        for row in _as_of(IndicatorPeriod, when, indicator__result__activity_id=pk)
    ),
    "trip_report": _trip_lines,
}


def _snapshot(record: Any, pk: int, when: datetime | None, names: Iterable[str]) -> dict[str, Any]:
    """The values of ``names`` on ``record`` (the activity or one of its history records)."""
    values: dict[str, Any] = {}
    for name in names:
        if name in SETS:
            values[name] = SETS[name](pk, when)
        elif name in M2M_FIELDS:
            related = getattr(record, name).all()
            if when is not None:
                related = [getattr(row, M2M_FIELDS[name]) for row in related]
            values[name] = sorted(str(item) for item in related if item is not None)
        else:
            values[name] = getattr(record, name)
    return values


def lines(name: str, rows: Iterable[Any]) -> list[str]:
    """What the user sent for set ``name`` (service rows), as the conflict shows it."""
    if name == "participants":
        # Rows of 0 people are not stored, so they are not shown either.
        shown = (row for row in rows if row.count > 0)
        return sorted(_participant_line(_RowView(row, ParticipantCount)) for row in shown)
    if name == "budget":
        return sorted(_budget_line(_RowView(row, BudgetLine)) for row in rows)
    if name == "contributions":
        return sorted(_contribution_line(_RowView(row, Contribution)) for row in rows)
    return [str(row) for row in rows]


class _RowView:
    """A service row (dataclass) read like a model row: ``get_*_display`` and ``*_id``."""

    def __init__(self, row: Any, model: type[Model]) -> None:
        self._row = row
        self._model = model

    def __getattr__(self, name: str) -> Any:
        if name.startswith("get_") and name.endswith("_display"):
            field = name[4:-8]
            value = getattr(self._row, field)
            return lambda: _choice_label(self._model, field, value)
        if name == "home_region_id":
            return getattr(self._row.home_region, "pk", None)
        return getattr(self._row, name)


def _choice_label(model: type[Model], field: str, value: Any) -> str:
    """The label of ``value`` among the choices of ``model.field`` (sides differ per model)."""
    choices = dict(getattr(model._meta.get_field(field), "choices", None) or ())
    return str(choices.get(value, value))


# --- Lock, compare, raise -------------------------------------------------------------------


def _conflict(current: Activity, base_version: int, yours: Mapping[str, Any]) -> EditConflict:
    labels = _labels()
    names = [name for name in yours if name in labels]

    def snapshot(record: Any) -> dict[str, Any]:
        # A history record reads the sets as they were at its date; the activity as they are.
        return _snapshot(record, current.pk, getattr(record, "history_date", None), names)

    return conflict_from_history(
        current,
        base_version,
        # Lists of related records compare as their sorted names, as the snapshots give them.
        {
            name: sorted(str(item) for item in value) if name in M2M_FIELDS else value
            for name, value in yours.items()
        },
        labels=labels,
        snapshot=snapshot,
        message=_("Someone else (%(user)s) changed this activity while you were working on it."),
    )


def activity_lock(pk: int, expected_version: int | None, yours: Mapping[str, Any]) -> Activity:
    """The activity locked for this transaction; :class:`EditConflict` if the version is stale.

    ``yours`` is what the user sent, by field or set name (``participants``,
    ``budget``, ``contributions``, ``results``, ``trip_report``); only these are
    compared.  ``expected_version`` ``None`` is an explicit overwrite (import).
    """
    locked, stale = lock_version(Activity, pk, expected_version)
    if stale:
        assert expected_version is not None  # noqa: S101 - stale implies a version was given
        raise _conflict(locked, expected_version, yours)
    return locked


def activity_bump(activity: Activity, actor: Any, reason: str, *fields: str) -> None:
    """Raise the version of the locked ``activity``; save it with ``fields`` (one history row)."""
    activity.version += 1
    stamp(activity, actor, reason)
    activity.save(update_fields=["version", "updated_at", *fields])
