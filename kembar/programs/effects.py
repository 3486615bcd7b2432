"""Writes for the economic effects of activities: record, correct, delete.

Like the other activity services: the permission is ``programs.change_activity``
on the activity, every problem is named by field in the user's language, the
write runs in one transaction and records who made it (simple-history), and a
save that changes nothing writes nothing.  ``is_demo`` follows the activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kembar.common.versioning import EditConflict, conflict_from_history, lock_version
from kembar.programs.activities import to_idr
from kembar.programs.checks import (
    LIMIT,
    Problems,
    add_problem,
    choice_problem,
    currency_problems,
    decimals,
    stamp,
    text_problems,
)
from kembar.programs.models import (
    Activity,
    EconomicEffect,
    EffectConfidence,
    EffectKind,
    Sector,
)

__all__ = [
    "EffectData",
    "activity_effect_delete",
    "activity_effect_save",
    "effect_problems",
]

#: Amounts in rupiah stay below this (the column holds 18 digits before the point).
#: Effects may come years after the activity (a contract signed later) but not before it.
MAX_YEARS_AFTER = 10


@dataclass(frozen=True, slots=True)
class EffectData:
    """An effect as the form gives it.

    ``amount`` (with ``currency`` and ``rate_to_idr``) for every kind but
    visitor spending, which gives ``visitors``, ``days`` and
    ``spending_per_day_idr`` instead.
    """

    kind: str
    sector: Sector
    year: int
    source: str
    amount: Decimal | None = None
    currency: str = "IDR"
    rate_to_idr: Decimal = Decimal(1)
    visitors: int | None = None
    days: int | None = None
    spending_per_day_idr: Decimal | None = None
    confidence: str = EffectConfidence.REPORTED
    note: str = ""

    def amount_in_idr(self) -> Decimal:
        """The rupiah value: visitors × days × spending per day, or amount × rate."""
        if self.kind == EffectKind.VISITOR_SPENDING:
            visitor_days = Decimal(self.visitors or 0) * Decimal(self.days or 0)
            return to_idr(visitor_days * (self.spending_per_day_idr or Decimal(0)), Decimal(1))
        return to_idr(self.amount or Decimal(0), self.rate_to_idr)


def _positive_amount(problems: Problems, name: str, value: Decimal | None) -> None:
    if value is None:
        add_problem(problems, name, _("Give the amount."))
    elif value <= 0:
        add_problem(problems, name, _("Give an amount greater than 0."))
    elif value >= LIMIT or decimals(value) > 2:
        add_problem(problems, name, _("Give an amount below 10^17 with at most two decimals."))


def effect_problems(data: EffectData, *, activity: Activity) -> Problems:
    """Everything wrong with ``data`` for ``activity``, by field name, in the user's language."""
    problems: Problems = {}
    choice_problem(problems, "kind", data.kind, EffectKind)
    choice_problem(problems, "confidence", data.confidence, EffectConfidence)
    text_problems(problems, data)
    first = activity.start_date.year
    if not first <= data.year <= first + MAX_YEARS_AFTER:
        add_problem(
            problems,
            "year",
            _("Give a year from the activity's start (%(first)s) to %(last)s.")
            % {"first": first, "last": first + MAX_YEARS_AFTER},
        )
    if not data.source.strip():
        add_problem(problems, "source", _("Say where the figure comes from."))
    elif len(data.source) > 300:
        add_problem(problems, "source", _("At most 300 characters."))
    if data.kind == EffectKind.VISITOR_SPENDING:
        for name in ("visitors", "days"):
            value = getattr(data, name)
            if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 1:
                add_problem(problems, name, _("Give a whole number, 1 or more."))
        _positive_amount(problems, "spending_per_day_idr", data.spending_per_day_idr)
        if data.amount is not None:
            add_problem(
                problems,
                "amount",
                _(
                    "Visitor spending is counted as visitors × days × spending per day: "
                    "leave the amount empty."
                ),
            )
        if not problems and data.amount_in_idr() >= LIMIT:
            add_problem(problems, "visitors", _("Visitors × days × spending per day is too large."))
    elif data.kind in EffectKind.values:
        _positive_amount(problems, "amount", data.amount)
        for name in ("visitors", "days", "spending_per_day_idr"):
            if getattr(data, name) is not None:
                add_problem(
                    problems,
                    name,
                    _("Only visitor spending is counted in visitors and days: leave it empty."),
                )
        currency_problems(problems, data.currency, data.rate_to_idr)
        if not problems and data.amount_in_idr() >= LIMIT:
            add_problem(problems, "amount", _("The amount in rupiah is too large."))
    return problems


def _require(user: Any, activity: Activity) -> None:
    if not user.has_perm("programs.change_activity", activity):
        raise PermissionDenied(_("You may not do this."))


def _values(data: EffectData) -> dict[str, Any]:
    visiting = data.kind == EffectKind.VISITOR_SPENDING
    return {
        "kind": data.kind,
        "sector": data.sector,
        "year": data.year,
        "amount": None if visiting else data.amount,
        "currency": "IDR" if visiting else data.currency,
        "rate_to_idr": Decimal(1) if visiting else data.rate_to_idr,
        "visitors": data.visitors if visiting else None,
        "days": data.days if visiting else None,
        "spending_per_day_idr": data.spending_per_day_idr if visiting else None,
        "amount_idr": data.amount_in_idr(),
        "confidence": data.confidence,
        "source": data.source.strip(),
        "note": data.note.strip(),
    }


def activity_effect_save(
    *,
    actor: Any,
    activity: Activity,
    data: EffectData,
    effect: EconomicEffect | None = None,
    expected_version: int | None = None,
) -> tuple[EconomicEffect, bool]:
    """Record a new effect of ``activity`` or correct ``effect``; return it and whether it changed.

    A correction names the ``expected_version`` of the effect it started from; a
    stale one raises :class:`~kembar.common.versioning.EditConflict` (``None``
    overwrites).  A correction raises the version by one.

    Raises :class:`~django.core.exceptions.PermissionDenied` without
    ``programs.change_activity`` on the activity and
    :class:`~django.core.exceptions.ValidationError` (by field) for bad data.
    """
    _require(actor, activity)
    if effect is not None and effect.activity_id != activity.pk:
        raise ValidationError(_("This effect belongs to another activity."))
    problems = effect_problems(data, activity=activity)
    if problems:
        raise ValidationError({name: list(messages) for name, messages in problems.items()})
    values = _values(data)
    with transaction.atomic():
        if effect is None:
            effect = EconomicEffect(
                activity=activity,
                is_demo=activity.is_demo,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **values,
            )
            reason = "recorded"
        else:
            effect, stale = lock_version(EconomicEffect, effect.pk, expected_version)
            if stale:
                assert expected_version is not None  # noqa: S101 - stale implies a version
                raise _conflict(effect, expected_version, values)
            if all(getattr(effect, name) == value for name, value in values.items()):
                return effect, False
            for name, value in values.items():
                setattr(effect, name, value)
            effect.version += 1
            reason = "corrected"
        stamp(effect, actor, reason)
        effect.full_clean(exclude=["activity", "sector", "created_by"])
        effect.save()
    return effect, True


def _conflict(effect: EconomicEffect, base_version: int, values: dict[str, Any]) -> EditConflict:
    labels = {
        name: str(getattr(EconomicEffect._meta.get_field(name), "verbose_name", name))
        for name in values
    }
    return conflict_from_history(
        effect,
        base_version,
        values,
        labels=labels,
        message=_("Someone else (%(user)s) corrected this economic effect meanwhile."),
    )


def activity_effect_delete(*, actor: Any, effect: EconomicEffect) -> None:
    """Delete an effect (its history stays in the audit log)."""
    _require(actor, effect.activity)
    with transaction.atomic():
        stamp(effect, actor, "deleted")
        effect.delete()
