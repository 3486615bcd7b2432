"""Writes for activities: the record itself, participants, money, results and trip reports.

Every write checks permission, validates everything and names each problem
by field in the user's language, runs in one transaction, records who made
the change (simple-history), and writes nothing when nothing changed, so
that uploading the same spreadsheet twice leaves the database as it was.
The checking functions (``*_problems``) are also used by the spreadsheet
import to report problems row by row without writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from kembar.accounts.models import Organisation
from kembar.geo.models import Region, RegionLevel
from kembar.partnerships.models import FocusArea, Partnership
from kembar.programs.checks import (
    LIMIT,
    Problems,
    add_problem,
    choice_problem,
    currency_problems,
    decimals,
    stamp,
    text_problem,
    text_problems,
)
from kembar.programs.conflicts import (
    activity_bump,
    activity_lock,
    result_line,
    trip_lines,
)
from kembar.programs.conflicts import lines as conflict_lines
from kembar.programs.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    BudgetLine,
    Contribution,
    ContributionForm,
    ContributionSide,
    CountSource,
    FundingSource,
    Gender,
    GovernmentAffair,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    MoneyKind,
    ParticipantCount,
    ParticipantSide,
    Result,
    ResultLevel,
    SdgGoal,
    SdgTarget,
    Sector,
    StakeholderGroup,
    StandardIndicator,
    Traveller,
    TripReport,
)
from kembar.programs.rollup import RollupKey, activity_rollup_key, rollup_refresh
from kembar.programs.rules import agency_allowed

__all__ = [
    "ACTIVITY_FIELDS",
    "ActivityData",
    "BudgetRow",
    "ContributionRow",
    "ParticipantRow",
    "ResultRow",
    "TravellerRow",
    "activity_budget_set",
    "activity_contributions_set",
    "activity_delete",
    "activity_money_set",
    "activity_problems",
    "activity_report_participants",
    "activity_result_record",
    "activity_save",
    "budget_problems",
    "contribution_problems",
    "needs_trip_report",
    "officer_counts",
    "participant_problems",
    "result_problems",
    "to_idr",
    "trip_report_save",
]

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
CENT = Decimal("0.01")
VALUE_LIMIT = Decimal("1e16")
#: Kinds whose people travel abroad, and so need a trip report.
TRAVEL_KINDS = frozenset({ActivityKind.EXCHANGE_OUTBOUND, ActivityKind.TRADE_MISSION})


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityData:
    """An activity as a form, the API or a spreadsheet row gives it (codes already resolved)."""

    reference: str
    partnership: Partnership
    kind: str
    title_id: str
    agency: Organisation
    start_date: date
    end_date: date
    sector: Sector
    government_affair: GovernmentAffair
    status: str = ActivityStatus.PLANNED
    title_en: str = ""
    description_id: str = ""
    description_en: str = ""
    cancellation_reason: str = ""
    place_region: Region | None = None
    in_partner_city: bool = False
    sdg_goals: Sequence[SdgGoal] = ()
    sdg_targets: Sequence[SdgTarget] = ()
    focus_areas: Sequence[FocusArea] = ()
    participants_local: int = 0
    participants_partner: int = 0


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    side: str
    group: str
    gender: str
    age_band: str
    count: int
    home_region: Region | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        home = self.home_region.kode if self.home_region is not None else ""
        return (self.side, self.group, self.gender, self.age_band, home)

    def for_activity(self, activity: Activity) -> ParticipantCount:
        """This row as an unsaved count of ``activity``."""
        return ParticipantCount(
            activity=activity,
            side=self.side,
            group=self.group,
            gender=self.gender,
            age_band=self.age_band,
            home_region=self.home_region,
            count=self.count,
            source=CountSource.OFFICER,
        )


@dataclass(frozen=True, slots=True)
class BudgetRow:
    source: str
    kind: str
    amount: Decimal
    currency: str = "IDR"
    rate_to_idr: Decimal = Decimal(1)
    note: str = ""


@dataclass(frozen=True, slots=True)
class ContributionRow:
    side: str
    form: str
    description: str
    value: Decimal | None = None
    currency: str = "IDR"
    rate_to_idr: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One period of one indicator of one result: the unit a spreadsheet row reports."""

    level: str
    result_title: str
    indicator_title: str
    unit: str
    period_start: date
    period_end: date
    target: Decimal | None = None
    actual: Decimal | None = None
    higher_is_better: bool = True
    baseline_year: int | None = None
    baseline_value: Decimal | None = None
    standard: StandardIndicator | None = None
    disaggregation: dict[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TravellerRow:
    role: str
    organisation: str
    count: int = 1


# --- Checks (no writes) ---------------------------------------------------------------------


def in_region(region: Region, local_region_id: str) -> bool:
    """Whether ``region`` is a kecamatan or kelurahan/desa inside ``local_region_id``."""
    return region.kode.startswith(local_region_id + ".") and region.level in (
        RegionLevel.DISTRICT,
        RegionLevel.VILLAGE,
    )


def activity_problems(
    data: ActivityData,
    *,
    user: Any,
    instance: Activity | None,
    reference_taken: bool | None = None,
) -> Problems:
    """Everything wrong with ``data``, by field name, in the user's language.

    ``reference_taken`` says whether another activity than ``instance`` has
    the reference, when the caller already knows (a bulk check loads them
    all at once); None asks the database.
    """
    problems: Problems = {}
    if not REFERENCE.match(data.reference):
        add_problem(
            problems,
            "reference",
            _("Use 1–40 letters, digits, hyphens or underscores, starting with a letter or digit."),
        )
    else:
        if reference_taken is None:
            taken = Activity.objects.filter(reference=data.reference)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            reference_taken = taken.exists()
        if reference_taken:
            add_problem(problems, "reference", _("Another activity already has this reference."))
    choice_problem(problems, "kind", data.kind, ActivityKind)
    text_problems(problems, data)
    choice_problem(problems, "status", data.status, ActivityStatus)
    if not data.title_id.strip():
        add_problem(problems, "title_id", _("Give the title in Indonesian."))
    for name in ("title_id", "title_en"):
        if len(getattr(data, name)) > 200:
            add_problem(problems, name, _("At most 200 characters."))
    if data.end_date < data.start_date:
        add_problem(problems, "end_date", _("The end date is before the start date."))
    if data.status == ActivityStatus.CANCELLED and not data.cancellation_reason.strip():
        add_problem(problems, "cancellation_reason", _("Say why the activity was cancelled."))
    region_id = data.partnership.local_region_id
    if data.place_region is not None and data.in_partner_city:
        add_problem(
            problems,
            "place_region",
            _("Choose either a place in the city or the partner city, not both."),
        )
    elif data.place_region is not None and not in_region(data.place_region, region_id):
        add_problem(
            problems,
            "place_region",
            _("%(place)s is not a kecamatan or kelurahan of %(region)s.")
            % {"place": data.place_region.name, "region": data.partnership.local_region.name},
        )
    if data.agency.home_region_id != region_id:
        add_problem(problems, "agency", _("This body does not belong to the region's government."))
    elif not agency_allowed(user, data.agency, region_id):
        add_problem(problems, "agency", _("You may report only for your own agency."))
    for name in ("participants_local", "participants_partner"):
        value = getattr(data, name)
        if not isinstance(value, int) or value < 0:
            add_problem(problems, name, _("Give a whole number, 0 or more."))
    return problems


def participant_problems(
    rows: Sequence[ParticipantRow], *, local_region_id: str, local_total: int, partner_total: int
) -> dict[int | str, Problems]:
    """Problems by row index (and under ``"totals"`` for sums that do not add up)."""
    found: dict[int | str, Problems] = {}
    seen: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows):
        problems: Problems = {}
        choice_problem(problems, "side", row.side, ParticipantSide)
        choice_problem(problems, "group", row.group, StakeholderGroup)
        choice_problem(problems, "gender", row.gender, Gender)
        choice_problem(problems, "age_band", row.age_band, AgeBand)
        if not isinstance(row.count, int) or isinstance(row.count, bool) or row.count < 0:
            add_problem(problems, "count", _("Give a whole number, 0 or more."))
        if row.home_region is not None:
            if row.side == ParticipantSide.PARTNER:
                add_problem(
                    problems,
                    "home_region",
                    _("Partner people hosted come from outside the city: leave it empty."),
                )
            elif not (
                row.home_region.kode.startswith(local_region_id + ".")
                and row.home_region.level == RegionLevel.DISTRICT
            ):
                add_problem(
                    problems,
                    "home_region",
                    _("%(place)s is not a kecamatan of the city.") % {"place": row.home_region},
                )
        if row.key in seen:
            add_problem(
                problems,
                "count",
                _("The same group, gender, age band and kecamatan is already on row %(row)s.")
                % {"row": seen[row.key] + 1},
            )
        else:
            seen[row.key] = index
        if problems:
            found[index] = problems
    sums = {ParticipantSide.LOCAL: 0, ParticipantSide.PARTNER: 0}
    for row in rows:
        if row.side in sums and isinstance(row.count, int) and row.count > 0:
            sums[ParticipantSide(row.side)] += row.count
    totals: Problems = {}
    for side, total, name in (
        (ParticipantSide.LOCAL, local_total, "participants_local"),
        (ParticipantSide.PARTNER, partner_total, "participants_partner"),
    ):
        if sums[side] != total:
            add_problem(
                totals,
                name,
                _(
                    "The breakdown adds up to %(sum)s but the total says %(total)s: "
                    "correct one of them."
                )
                % {"sum": sums[side], "total": total},
            )
    if totals:
        found["totals"] = totals
    return found


def _amount_problems(problems: Problems, name: str, amount: Decimal | None) -> None:
    if amount is None:
        return
    if amount < 0:
        add_problem(problems, name, _("An amount cannot be negative."))
    elif amount >= LIMIT or decimals(amount) > 2:
        add_problem(problems, name, _("Give an amount below 10^17 with at most two decimals."))


def budget_problems(rows: Sequence[BudgetRow]) -> dict[int, Problems]:
    found: dict[int, Problems] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        problems: Problems = {}
        choice_problem(problems, "source", row.source, FundingSource)
        text_problems(problems, row)
        choice_problem(problems, "kind", row.kind, MoneyKind)
        _amount_problems(problems, "amount", row.amount)
        currency_problems(problems, row.currency, row.rate_to_idr)
        if (row.source, row.kind) in seen:
            add_problem(
                problems,
                "source",
                _("This source and kind is already on row %(row)s: add the amounts up.")
                % {"row": seen[(row.source, row.kind)] + 1},
            )
        else:
            seen[(row.source, row.kind)] = index
        if problems:
            found[index] = problems
    return found


def contribution_problems(rows: Sequence[ContributionRow]) -> dict[int, Problems]:
    found: dict[int, Problems] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for index, row in enumerate(rows):
        problems: Problems = {}
        choice_problem(problems, "side", row.side, ContributionSide)
        text_problems(problems, row)
        choice_problem(problems, "form", row.form, ContributionForm)
        if not row.description.strip():
            add_problem(problems, "description", _("Say what was given."))
        _amount_problems(problems, "value", row.value)
        currency_problems(problems, row.currency, row.rate_to_idr)
        key = (row.side, row.form, row.description.strip())
        if key in seen:
            add_problem(
                problems,
                "description",
                _("The same contribution is already on row %(row)s.") % {"row": seen[key] + 1},
            )
        else:
            seen[key] = index
        if problems:
            found[index] = problems
    return found


def result_problems(row: ResultRow) -> Problems:
    problems: Problems = {}
    choice_problem(problems, "level", row.level, ResultLevel)
    text_problems(problems, row)
    if not row.result_title.strip():
        add_problem(problems, "result_title", _("Name the result."))
    if not row.indicator_title.strip() and row.standard is None:
        add_problem(problems, "indicator_title", _("Name the indicator or choose a standard one."))
    if not row.unit.strip() and row.standard is None:
        add_problem(problems, "unit", _("Give the unit (people, rupiah, policies …)."))
    if row.period_end < row.period_start:
        add_problem(problems, "period_end", _("The period ends before it starts."))
    if row.target is None and row.actual is None:
        add_problem(problems, "target", _("Give a target, an actual value, or both."))
    if row.baseline_year is not None and not 1900 <= row.baseline_year <= 2100:
        add_problem(problems, "baseline_year", _("Give a year between 1900 and 2100."))
    for name in ("target", "actual", "baseline_value"):
        value = getattr(row, name)
        if value is not None and (abs(value) >= VALUE_LIMIT or decimals(value) > 4):
            add_problem(problems, name, _("Give a value below 10^16 with at most four decimals."))
    dimensions: dict[str, Decimal] = {}
    for (dimension, _category), value in row.disaggregation.items():
        if value < 0:
            add_problem(problems, "disaggregation", _("A disaggregated value cannot be negative."))
        dimensions[dimension] = dimensions.get(dimension, Decimal(0)) + value
    for dimension, total in sorted(dimensions.items()):
        if row.actual is not None and total != row.actual:
            add_problem(
                problems,
                "disaggregation",
                _("The values by %(dimension)s add up to %(sum)s, not to the actual %(actual)s.")
                % {"dimension": dimension, "sum": total, "actual": row.actual},
            )
    return problems


# --- Writes ---------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def _raise(problems: Problems) -> None:
    if problems:
        raise ValidationError({name: list(messages) for name, messages in problems.items()})


def to_idr(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` × ``rate`` rounded half up to the cent.

    >>> to_idr(Decimal("1250.50"), Decimal("10421.5"))
    Decimal('13032085.75')
    """
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


#: The fields of an activity that are plain values or single relations (not its lists).
ACTIVITY_FIELDS = (
    "partnership",
    "kind",
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "agency",
    "start_date",
    "end_date",
    "status",
    "cancellation_reason",
    "place_region",
    "in_partner_city",
    "sector",
    "government_affair",
    "participants_local",
    "participants_partner",
)


def _participant_problems_merge(problems: Problems, found: dict[int | str, Problems]) -> None:
    """Row problems under ``participants`` ("Row 3: …"), total problems under their field."""
    for key, row_problems in found.items():
        for name, messages in row_problems.items():
            if key == "totals":
                target, prefix = name, ""
            else:
                target, prefix = "participants", _("Row %(row)s: ") % {"row": int(key) + 1}
            for message in messages:
                add_problem(problems, target, prefix + message)


def needs_trip_report(activity: Activity) -> bool:
    """Whether people travelled abroad for ``activity``, so that a trip report is due."""
    return activity.kind in TRAVEL_KINDS or activity.in_partner_city


def activity_save(
    *,
    actor: Any,
    data: ActivityData,
    participants: Sequence[ParticipantRow] | None = None,
    is_demo: bool = False,
    create_only: bool = False,
    expected_version: int | None = None,
    given: Iterable[str] | None = None,
) -> tuple[Activity, bool]:
    """Create or update the activity with ``data.reference``; returns it and whether it changed.

    With ``participants`` the breakdown is replaced in the same transaction;
    without, the stored breakdown must still add up to the new totals.  With
    ``create_only`` an existing reference is refused instead of updated (a
    "new activity" form or POST must not change someone else's record).
    ``expected_version`` is the version the user read: a stale one raises
    :class:`~kembar.common.versioning.EditConflict` naming the fields in
    ``given`` (all by default) that changed meanwhile; ``None`` overwrites (an
    import by reference).  Any change raises the version by one.
    """
    instance = Activity.objects.filter(reference=data.reference).first()
    if instance is not None and create_only:
        raise ValidationError({"reference": [_("Another activity already has this reference.")]})
    if instance is None:
        _require(actor, "programs.add_activity", data.partnership)
    else:
        _require(actor, "programs.change_activity", instance)
        if instance.is_demo != is_demo:
            raise ValidationError(
                {"reference": [_("This reference belongs to a demonstration record.")]}
            )
    goals = {goal.pk: goal for goal in data.sdg_goals}
    for sdg_target in data.sdg_targets:
        goals.setdefault(sdg_target.goal_id, sdg_target.goal)
    with transaction.atomic():
        keys: list[RollupKey] = []
        if instance is not None:
            instance = activity_lock(
                instance.pk, expected_version, _yours(data, participants, given)
            )
            keys.append(activity_rollup_key(instance))
        problems = activity_problems(data, user=actor, instance=instance)
        rows = (
            list(participants)
            if participants is not None
            else [_participant_row(count) for count in officer_counts(instance)]
            if instance is not None
            else []
        )
        found = participant_problems(
            rows,
            local_region_id=data.partnership.local_region_id,
            local_total=data.participants_local,
            partner_total=data.participants_partner,
        )
        _participant_problems_merge(problems, found)
        _raise(problems)

        created = instance is None
        if instance is None:
            instance = Activity(reference=data.reference, is_demo=is_demo, created_by=actor)
        changed = False
        for name in ACTIVITY_FIELDS:
            attname = getattr(Activity._meta.get_field(name), "attname", name)
            wanted = getattr(data, name)
            wanted_value = wanted.pk if isinstance(wanted, Model) else wanted
            if getattr(instance, attname) != wanted_value:
                setattr(instance, name, wanted)
                changed = True
        relations: list[tuple[Any, set[Any]]] = []
        if not created:
            # The rows under the activity change before its version is raised (see conflicts).
            if participants is not None:
                changed = _participants_replace(instance, rows, actor) or changed
            relations = _relations_to_set(instance, data, set(goals))
        if created or changed or relations:
            if not created:
                instance.version += 1
            stamp(instance, actor, "saved")
            try:
                with transaction.atomic():
                    instance.save()
            except IntegrityError:
                # Someone created the same reference since the check above.
                raise ValidationError(
                    {"reference": [_("Another activity already has this reference.")]}
                ) from None
            changed = True
        if created:
            relations = _relations_to_set(instance, data, set(goals))
        for relation, wanted_pks in relations:
            relation.set(wanted_pks)
        if created and participants is not None:
            _participants_replace(instance, rows, actor)
        if changed:
            rollup_refresh([*keys, activity_rollup_key(instance)])
    return instance, changed


def _relations_to_set(
    instance: Activity, data: ActivityData, goals: set[Any]
) -> list[tuple[Any, set[Any]]]:
    """The SDG goals, targets and focus areas of ``instance`` that differ from ``data``."""
    relations: list[tuple[Any, set[Any]]] = [
        (instance.sdg_goals, goals),
        (instance.sdg_targets, {sdg_target.pk for sdg_target in data.sdg_targets}),
        (instance.focus_areas, {area.pk for area in data.focus_areas}),
    ]
    return [
        (relation, wanted)
        for relation, wanted in relations
        if set(relation.values_list("pk", flat=True)) != wanted
    ]


def _yours(
    data: ActivityData, participants: Sequence[ParticipantRow] | None, given: Iterable[str] | None
) -> dict[str, Any]:
    """What the user sent, by name, for a conflict to compare with what is saved now."""
    names = set(given) if given is not None else {*ACTIVITY_FIELDS, *_M2M}
    yours = {name: getattr(data, name) for name in (*ACTIVITY_FIELDS, *_M2M) if name in names}
    if participants is not None:
        yours["participants"] = conflict_lines("participants", participants)
    return yours


_M2M = ("sdg_goals", "sdg_targets", "focus_areas")


def officer_counts(activity: Activity) -> list[ParticipantCount]:
    """The counts officers typed: the breakdown of ``participants_local`` and ``_partner``.

    Only these are edited, replaced, checked against the typed totals and
    exported for re-import.  The counts of registrations checked in
    (``source`` registrations, :mod:`kembar.participation.registrations`)
    are Kembar's own: an officer's form, the API or a spreadsheet that
    replaces "the breakdown" must leave them as they are.  Read through
    ``participant_counts.all()``, so that a prefetch serves it.
    """
    return [
        count for count in activity.participant_counts.all() if count.source == CountSource.OFFICER
    ]


def _participant_row(count: ParticipantCount) -> ParticipantRow:
    return ParticipantRow(
        side=count.side,
        group=count.group,
        gender=count.gender,
        age_band=count.age_band,
        count=count.count,
        home_region=count.home_region,
    )


def _participants_replace(activity: Activity, rows: Iterable[ParticipantRow], actor: Any) -> bool:
    existing = {_participant_row(count).key: count for count in officer_counts(activity)}
    wanted = {row.key: row for row in rows if row.count > 0}
    changed = False
    for key, count in existing.items():
        if key not in wanted:
            stamp(count, actor, "removed")
            count.delete()
            changed = True
        elif count.count != wanted[key].count:
            count.count = wanted[key].count
            stamp(count, actor, "corrected")
            count.save()
            changed = True
    for key, row in wanted.items():
        if key not in existing:
            created = row.for_activity(activity)
            stamp(created, actor, "reported")
            created.save()
            changed = True
    return changed


def _guarded(
    *,
    actor: Any,
    activity: Activity,
    expected_version: int | None,
    yours: dict[str, Any],
    reason: str,
    write: Callable[[Activity], bool],
    fields: Sequence[str] = (),
) -> bool:
    """Run ``write`` on the locked activity; raise its version when it changed something.

    A stale ``expected_version`` raises :class:`~kembar.common.versioning.EditConflict`
    before anything is written.  ``activity`` gets the new version.
    """
    with transaction.atomic():
        locked = activity_lock(activity.pk, expected_version, yours)
        changed = write(locked)
        if changed:
            activity_bump(locked, actor, reason, *fields)
    activity.version = locked.version
    return changed


def activity_report_participants(
    *,
    actor: Any,
    activity: Activity,
    local_total: int,
    partner_total: int,
    rows: Sequence[ParticipantRow],
    expected_version: int | None = None,
) -> bool:
    """Replace the participant breakdown and totals; refuse unless they add up."""
    _require(actor, "programs.change_activity", activity)
    found = participant_problems(
        rows,
        local_region_id=activity.partnership.local_region_id,
        local_total=local_total,
        partner_total=partner_total,
    )
    problems: Problems = {}
    _participant_problems_merge(problems, found)
    _raise(problems)

    def write(locked: Activity) -> bool:
        changed = _participants_replace(locked, rows, actor)
        if (locked.participants_local, locked.participants_partner) != (local_total, partner_total):
            locked.participants_local = local_total
            locked.participants_partner = partner_total
            changed = True
        if changed:
            rollup_refresh([activity_rollup_key(locked)])
        return changed

    changed = _guarded(
        actor=actor,
        activity=activity,
        expected_version=expected_version,
        yours={
            "participants_local": local_total,
            "participants_partner": partner_total,
            "participants": conflict_lines("participants", rows),
        },
        reason="participants reported",
        write=write,
        fields=("participants_local", "participants_partner"),
    )
    activity.refresh_from_db()
    return changed


def _row_errors(found: dict[int, Problems]) -> None:
    problems: Problems = {}
    for index, row_problems in found.items():
        for name, messages in row_problems.items():
            for message in messages:
                add_problem(problems, name, _("Row %(row)s: ") % {"row": index + 1} + message)
    _raise(problems)


def activity_budget_set(
    *,
    actor: Any,
    activity: Activity,
    rows: Sequence[BudgetRow],
    expected_version: int | None = None,
) -> bool:
    """Make the activity's budget lines exactly ``rows`` (one per source and kind)."""
    return activity_money_set(
        actor=actor, activity=activity, budget=rows, expected_version=expected_version
    )


def activity_contributions_set(
    *,
    actor: Any,
    activity: Activity,
    rows: Sequence[ContributionRow],
    expected_version: int | None = None,
) -> bool:
    """Make the activity's contributions exactly ``rows``."""
    return activity_money_set(
        actor=actor, activity=activity, contributions=rows, expected_version=expected_version
    )


def activity_money_set(
    *,
    actor: Any,
    activity: Activity,
    budget: Sequence[BudgetRow] | None = None,
    contributions: Sequence[ContributionRow] | None = None,
    expected_version: int | None = None,
) -> bool:
    """Replace the budget lines and/or contributions (``None`` keeps them) in one version step."""
    _require(actor, "programs.change_activity", activity)
    yours: dict[str, Any] = {}
    if budget is not None:
        _row_errors(budget_problems(budget))
        yours["budget"] = conflict_lines("budget", budget)
    if contributions is not None:
        _row_errors(contribution_problems(contributions))
        yours["contributions"] = conflict_lines("contributions", contributions)

    def write(locked: Activity) -> bool:
        changed = budget is not None and _budget_replace(locked, budget, actor)
        return (
            contributions is not None and _contributions_replace(locked, contributions, actor)
        ) or changed

    return _guarded(
        actor=actor,
        activity=activity,
        expected_version=expected_version,
        yours=yours,
        reason="money saved",
        write=write,
    )


def _budget_replace(activity: Activity, rows: Sequence[BudgetRow], actor: Any) -> bool:
    existing = {(line.source, line.kind): line for line in activity.budget_lines.all()}
    changed = False
    wanted = {(row.source, row.kind): row for row in rows}
    for key, line in existing.items():
        if key not in wanted:
            stamp(line, actor, "removed")
            line.delete()
            changed = True
    for key, row in wanted.items():
        line = existing.get(key) or BudgetLine(activity=activity, source=row.source, kind=row.kind)
        values = {
            "amount": row.amount,
            "currency": row.currency,
            "rate_to_idr": row.rate_to_idr,
            "amount_idr": to_idr(row.amount, row.rate_to_idr),
            "note": row.note,
        }
        if line.pk is None or any(getattr(line, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(line, name, value)
            stamp(line, actor, "saved")
            line.save()
            changed = True
    return changed


def _contributions_replace(activity: Activity, rows: Sequence[ContributionRow], actor: Any) -> bool:
    existing = {(c.side, c.form, c.description): c for c in activity.contributions.all()}
    wanted = {(row.side, row.form, row.description.strip()): row for row in rows}
    changed = False
    for key, contribution in existing.items():
        if key not in wanted:
            stamp(contribution, actor, "removed")
            contribution.delete()
            changed = True
    for key, row in wanted.items():
        contribution = existing.get(key) or Contribution(
            activity=activity, side=row.side, form=row.form, description=key[2]
        )
        values = {
            "value": row.value,
            "currency": row.currency,
            "rate_to_idr": row.rate_to_idr,
            "value_idr": None if row.value is None else to_idr(row.value, row.rate_to_idr),
        }
        if contribution.pk is None or any(getattr(contribution, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(contribution, name, value)
            stamp(contribution, actor, "saved")
            contribution.save()
            changed = True
    return changed


def _upsert(
    model: Any, lookup: dict[str, Any], values: dict[str, Any], actor: Any
) -> tuple[Any, bool]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        stamp(obj, actor, "reported")
        obj.save()
        return obj, True
    if any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        stamp(obj, actor, "corrected")
        obj.save()
        return obj, True
    return obj, False


def activity_result_record(
    *, actor: Any, activity: Activity, row: ResultRow, expected_version: int | None = None
) -> bool:
    """Record one period of an indicator (creating the result and indicator as needed)."""
    _require(actor, "programs.change_activity", activity)
    _raise(result_problems(row))
    standard = row.standard
    indicator_title = row.indicator_title.strip() or (standard.name_id if standard else "")
    unit = row.unit.strip() or (standard.unit_id if standard else "")

    def write(locked: Activity) -> bool:
        result, changed = _upsert(
            Result,
            {"activity": locked, "level": row.level, "title": row.result_title.strip()},
            {},
            actor,
        )
        indicator, indicator_changed = _upsert(
            Indicator,
            {"result": result, "title": indicator_title},
            {
                "standard": standard,
                "unit": unit,
                "higher_is_better": row.higher_is_better,
                "baseline_year": row.baseline_year,
                "baseline_value": row.baseline_value,
            },
            actor,
        )
        period, period_changed = _upsert(
            IndicatorPeriod,
            {"indicator": indicator, "period_start": row.period_start},
            {"period_end": row.period_end, "target": row.target, "actual": row.actual},
            actor,
        )
        changed = changed or indicator_changed or period_changed
        existing = {(d.dimension, d.category): d for d in period.disaggregations.all()}
        for key, value in row.disaggregation.items():
            _obj, item_changed = _upsert(
                IndicatorDisaggregation,
                {"period": period, "dimension": key[0], "category": key[1]},
                {"actual": value},
                actor,
            )
            changed = changed or item_changed
        for key, item in existing.items():
            if key not in row.disaggregation and row.disaggregation:
                stamp(item, actor, "removed")
                item.delete()
                changed = True
        return changed

    line = result_line(
        row.result_title.strip(),
        indicator_title,
        row.period_start,
        row.period_end,
        row.target,
        row.actual,
    )
    return _guarded(
        actor=actor,
        activity=activity,
        expected_version=expected_version,
        yours={"results": [line]},
        reason="result recorded",
        write=write,
    )


def trip_report_save(
    *,
    actor: Any,
    activity: Activity,
    purpose: str,
    outputs: str,
    days: int,
    cost_idr: Decimal,
    travellers: Sequence[TravellerRow],
    expected_version: int | None = None,
) -> TripReport:
    """Write (or correct) the trip report of an outbound activity."""
    _require(actor, "programs.change_activity", activity)
    problems: Problems = {}
    if not needs_trip_report(activity):
        add_problem(
            problems,
            "activity",
            _(
                "Trip reports are for outbound visits and trade missions, or activities held in "
                "the partner city."
            ),
        )
    if not purpose.strip():
        add_problem(problems, "purpose", _("Say what the trip was for."))
    if not outputs.strip():
        add_problem(problems, "outputs", _("Say what the trip produced."))
    text_problem(problems, "purpose", purpose)
    text_problem(problems, "outputs", outputs)
    if not isinstance(days, int) or days < 1:
        add_problem(problems, "days", _("Give the number of days away, 1 or more."))
    _amount_problems(problems, "cost_idr", cost_idr)
    if not travellers:
        add_problem(problems, "travellers", _("Say who travelled (role and organisation)."))
    seen: set[tuple[str, str]] = set()
    for index, traveller in enumerate(travellers, start=1):
        if not traveller.role.strip() or not traveller.organisation.strip():
            add_problem(
                problems,
                "travellers",
                _("Row %(row)s: give role and organisation.") % {"row": index},
            )
        if traveller.count < 1:
            add_problem(
                problems, "travellers", _("Row %(row)s: at least 1 person.") % {"row": index}
            )
        text_problem(problems, "travellers", traveller.role, field="role")
        text_problem(problems, "travellers", traveller.organisation, field="organisation")
        key = (traveller.role.strip(), traveller.organisation.strip())
        if key in seen:
            add_problem(problems, "travellers", _("Row %(row)s: listed twice.") % {"row": index})
        seen.add(key)
    _raise(problems)
    saved: list[TripReport] = []

    def write(locked: Activity) -> bool:
        report, changed = _upsert(
            TripReport,
            {"activity": locked},
            {
                "purpose": purpose.strip(),
                "outputs": outputs.strip(),
                "days": days,
                "cost_idr": cost_idr,
            },
            actor,
        )
        saved.append(report)
        if report.submitted_by_id is None:
            report.submitted_by = actor
            report.save(update_fields=["submitted_by"])
        wanted = {(t.role.strip(), t.organisation.strip()): t.count for t in travellers}
        for traveller in report.travellers.all():
            if (traveller.role, traveller.organisation) not in wanted:
                stamp(traveller, actor, "removed")
                traveller.delete()
                changed = True
        for (role, organisation), count in wanted.items():
            _obj, traveller_changed = _upsert(
                Traveller,
                {"report": report, "role": role, "organisation": organisation},
                {"count": count},
                actor,
            )
            changed = changed or traveller_changed
        return changed

    _guarded(
        actor=actor,
        activity=activity,
        expected_version=expected_version,
        yours={
            "trip_report": trip_lines(purpose.strip(), outputs.strip(), days, cost_idr, travellers)
        },
        reason="trip report saved",
        write=write,
    )
    return saved[0]


def activity_delete(*, actor: Any, activity: Activity) -> None:
    """Delete an activity and everything recorded under it (its history stays)."""
    _require(actor, "programs.delete_activity", activity)
    with transaction.atomic():
        key = activity_rollup_key(activity)
        stamp(activity, actor, "deleted")
        activity.delete()
        rollup_refresh([key])
