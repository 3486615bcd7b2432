"""Writes for opportunities: create from an activity, change, move forward, reserve places.

Every write checks the actor's permission (``kembar.participation.rules``),
validates everything and reports every problem at once (``ValidationError``
by field), runs in one transaction with the opportunity's row locked, raises
its ``version`` and leaves a history record with the actor (and for a change
of status, the reason).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from numbers import Real
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.common.text import check_text
from kembar.common.versioning import conflict_from_history, lock_version
from kembar.geo.models import Region, RegionLevel
from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityKind,
    OpportunityReservation,
    OpportunityStatus,
    ReservationDimension,
)
from kembar.programs.models import Activity, AgeBand, StakeholderGroup

__all__ = [
    "NEXT_STATUS",
    "OpportunityData",
    "ReservationRow",
    "opportunity_create",
    "opportunity_reservations_set",
    "opportunity_transition",
    "opportunity_update",
    "suggested_reservations",
]

#: The one status each status may move to: forward only, one step at a time.
NEXT_STATUS = {
    OpportunityStatus.DRAFT: OpportunityStatus.PUBLISHED,
    OpportunityStatus.PUBLISHED: OpportunityStatus.CLOSED,
    OpportunityStatus.CLOSED: OpportunityStatus.RESULTS_PUBLISHED,
}
#: Statuses in which the call's terms and reservations may still change.
EDITABLE = (OpportunityStatus.DRAFT, OpportunityStatus.PUBLISHED)
#: The share of places :func:`suggested_reservations` proposes to reserve, at most.
RESERVED_SHARE = 0.3
#: How many under-reached units the suggestion spreads the reserved places over, at most.
SUGGESTED_UNITS = 3
#: simple-history keeps at most this many characters of a change's reason.
HISTORY_REASON = 100

LABELS = {
    "kind": gettext_lazy("kind"),
    "title_id": gettext_lazy("title (Indonesian)"),
    "title_en": gettext_lazy("title (English)"),
    "description_id": gettext_lazy("description (Indonesian)"),
    "description_en": gettext_lazy("description (English)"),
    "eligible_kecamatan": gettext_lazy("kecamatan that may apply"),
    "eligible_groups": gettext_lazy("stakeholder groups that may apply"),
    "eligible_age_bands": gettext_lazy("age bands that may apply"),
    "eligibility_other": gettext_lazy("other conditions"),
    "places": gettext_lazy("places"),
    "deadline": gettext_lazy("deadline"),
    "allocation": gettext_lazy("how places are given"),
    "lottery_seed": gettext_lazy("lottery seed"),
    "panel_criteria": gettext_lazy("panel criteria"),
    "questions": gettext_lazy("the call's own questions"),
}
#: At most this many questions of its own per call (registration takes a minute).
MAX_QUESTIONS = 5


@dataclass
class OpportunityData:
    """The terms of a call, as forms and the API give them."""

    kind: str
    title_id: str
    title_en: str = ""
    description_id: str = ""
    description_en: str = ""
    eligible_kecamatan: list[Region] = field(default_factory=list)
    eligible_groups: list[str] = field(default_factory=list)
    eligible_age_bands: list[str] = field(default_factory=list)
    eligibility_other: str = ""
    places: int = 0
    deadline: datetime | None = None
    allocation: str = Allocation.FIRST_COME
    lottery_seed: str = ""
    panel_criteria: list[dict[str, Any]] = field(default_factory=list)
    #: Each ``{"key", "text_id", "text_en", "required"}``; keys stay with their question.
    questions: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, opportunity: Opportunity) -> OpportunityData:
        values = {name: getattr(opportunity, name) for name in LABELS}
        values["eligible_kecamatan"] = list(opportunity.eligible_kecamatan.all())
        return cls(**values)


@dataclass(frozen=True)
class ReservationRow:
    """Places kept for one kecamatan (``code`` its kode) or one stakeholder group."""

    dimension: str
    code: str
    places: int
    reason: str = ""


def _require(actor: Any, perm: str, obj: Any) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not manage calls for this activity."))


def _text_problems(data: OpportunityData) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for name in ("title_id", "title_en", "lottery_seed"):
        if (refused := check_text(getattr(data, name), str(LABELS[name]))) is not None:
            problems.setdefault(name, []).append(refused)
    for name in ("description_id", "description_en", "eligibility_other"):
        refused = check_text(getattr(data, name), str(LABELS[name]), multiline=True)
        if refused is not None:
            problems.setdefault(name, []).append(refused)
    return problems


def _criteria_problems(criteria: Any) -> list[str]:
    if not isinstance(criteria, list):
        return [_("Give the criteria as a list of names with weights.")]
    problems = []
    names = set()
    for item in criteria:
        name = item.get("name") if isinstance(item, dict) else None
        weight = item.get("weight") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip() or set(item) != {"name", "weight"}:
            problems.append(_("Each criterion needs a name and a weight, nothing else."))
            continue
        if (
            isinstance(weight, bool)
            or not isinstance(weight, Real)
            or not math.isfinite(weight)
            or weight <= 0
        ):
            problems.append(
                _("The weight of “%(name)s” must be a number above 0.") % {"name": name}
            )
        if name.strip() in names:
            problems.append(_("The criterion “%(name)s” is given twice.") % {"name": name})
        names.add(name.strip())
    return problems


def _question_problems(questions: Any) -> list[str]:
    if not isinstance(questions, list):
        return [_("Give the questions as a list.")]
    problems = []
    if len(questions) > MAX_QUESTIONS:
        problems.append(
            _("A call may ask at most %(count)d questions of its own.") % {"count": MAX_QUESTIONS}
        )
    keys = set()
    for item in questions:
        if not isinstance(item, dict) or set(item) != {"key", "text_id", "text_en", "required"}:
            problems.append(
                _(
                    "Each question needs its key, its text in both languages and "
                    "whether it is required, nothing else."
                )
            )
            continue
        key, text_id, text_en = item["key"], item["text_id"], item["text_en"]
        if not (isinstance(key, str) and key.isidentifier() and len(key) <= 20):
            problems.append(_("A question's key is a short name of letters and digits."))
        elif key in keys:
            problems.append(_("The question key “%(key)s” is given twice.") % {"key": key})
        keys.add(key)
        if not isinstance(text_id, str) or not text_id.strip() or len(text_id) > 300:
            problems.append(
                _("Each question needs its text in Indonesian (at most 300 characters).")
            )
        elif (refused := check_text(text_id, str(LABELS["questions"]))) is not None:
            problems.append(refused)
        if not isinstance(text_en, str) or len(text_en) > 300:
            problems.append(_("A question's English text has at most 300 characters."))
        elif text_en and (refused := check_text(text_en, str(LABELS["questions"]))) is not None:
            problems.append(refused)
        if not isinstance(item["required"], bool):
            problems.append(_("Say with true or false whether a question needs an answer."))
    return problems


def kecamatan_of(activity: Activity) -> Any:
    """The kecamatan of the activity's local region (who may be named as eligible)."""
    return Region.objects.filter(
        parent_id=activity.partnership.local_region_id, level=RegionLevel.DISTRICT
    )


def _validate(activity: Activity, data: OpportunityData, reserved: int) -> None:
    problems = _text_problems(data)

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if data.kind not in OpportunityKind.values:
        add("kind", _("Choose one of the kinds listed."))
    if not data.title_id.strip():
        add("title_id", _("Give the title in Indonesian."))
    if data.allocation not in Allocation.values:
        add("allocation", _("Choose one of the ways listed."))
    if isinstance(data.places, bool) or not isinstance(data.places, int) or data.places < 0:
        add("places", _("Give the number of places as a whole number, 0 or more."))
    elif data.places < reserved:
        add(
            "places",
            _("%(reserved)d places are reserved; the call cannot have fewer places.")
            % {"reserved": reserved},
        )
    if data.deadline is not None and timezone.is_naive(data.deadline):
        add("deadline", _("Give the deadline with its time zone."))
    allowed = set(kecamatan_of(activity).values_list("kode", flat=True))
    for region in data.eligible_kecamatan:
        if region.pk not in allowed:
            add(
                "eligible_kecamatan",
                _("%(name)s is not a kecamatan of the activity's region.") % {"name": region.name},
            )
    for name, choices in (
        ("eligible_groups", StakeholderGroup.values),
        ("eligible_age_bands", AgeBand.values),
    ):
        codes = getattr(data, name)
        if not isinstance(codes, list) or any(code not in choices for code in codes):
            add(name, _("Choose from the codes listed: %(codes)s.") % {"codes": ", ".join(choices)})
        elif len(set(codes)) != len(codes):
            add(name, _("Name each code once."))
    for message in _criteria_problems(data.panel_criteria):
        add("panel_criteria", message)
    for message in _question_problems(data.questions):
        add("questions", message)
    if problems:
        raise ValidationError(problems)


def _save(opportunity: Opportunity, actor: Any, reason: str = "") -> None:
    opportunity._history_user = actor  # type: ignore[attr-defined]
    if reason:
        opportunity._change_reason = reason[:HISTORY_REASON]  # type: ignore[attr-defined]
    opportunity.full_clean(exclude=["activity", "created_by"])
    opportunity.save()


def _apply(opportunity: Opportunity, data: OpportunityData) -> None:
    for name in LABELS:
        if name != "eligible_kecamatan":
            setattr(opportunity, name, getattr(data, name))
    opportunity.title_id = data.title_id.strip()
    opportunity.title_en = data.title_en.strip()
    opportunity.lottery_seed = data.lottery_seed.strip()
    opportunity.panel_criteria = [
        {"name": item["name"].strip(), "weight": item["weight"]} for item in data.panel_criteria
    ]
    opportunity.questions = [
        {
            "key": item["key"],
            "text_id": item["text_id"].strip(),
            "text_en": item["text_en"].strip(),
            "required": item["required"],
        }
        for item in data.questions
    ]


def opportunity_create(*, actor: Any, activity: Activity, data: OpportunityData) -> Opportunity:
    """A draft call from ``activity`` (its region and partnership are the activity's)."""
    _require(actor, "participation.add_opportunity", activity)
    _validate(activity, data, reserved=0)
    with transaction.atomic():
        opportunity = Opportunity(activity=activity, created_by=actor)
        _apply(opportunity, data)
        _save(opportunity, actor)
        opportunity.eligible_kecamatan.set(data.eligible_kecamatan)
    return opportunity


def _locked(
    opportunity: Opportunity, expected_version: int | None, yours: dict[str, Any]
) -> Opportunity:
    locked, stale = lock_version(Opportunity, opportunity.pk, expected_version)
    if stale:
        assert expected_version is not None  # noqa: S101
        raise conflict_from_history(
            locked,
            expected_version,
            yours,
            labels={name: str(label) for name, label in LABELS.items()},
            snapshot=_snapshot,
            message=_("Someone else (%(user)s) changed this call while you were editing."),
        )
    return locked


def _snapshot(record: Any) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in LABELS if name != "eligible_kecamatan"}
    return values


def _reserved(opportunity: Opportunity) -> int:
    return sum(opportunity.reservations.values_list("places", flat=True))


def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    data: OpportunityData,
    expected_version: int | None,
) -> Opportunity:
    """Change the terms of a call still a draft or open; a stale version raises EditConflict."""
    _require(actor, "participation.change_opportunity", opportunity)
    with transaction.atomic():
        locked = _locked(opportunity, expected_version, _snapshot(data))
        if locked.status not in EDITABLE:
            raise ValidationError(_("A closed call can no longer be changed."))
        _validate(locked.activity, data, reserved=_reserved(locked))
        _apply(locked, data)
        if locked.status == OpportunityStatus.PUBLISHED:
            _publishable(locked)
        locked.version += 1
        _save(locked, actor)
        locked.eligible_kecamatan.set(data.eligible_kecamatan)
    return locked


def _publishable(opportunity: Opportunity) -> None:
    """What a published call needs: places, a deadline ahead, a title in both languages."""
    problems: dict[str, list[str]] = {}
    if opportunity.places < 1:
        problems["places"] = [_("A published call needs at least one place.")]
    if opportunity.deadline is None or opportunity.deadline <= timezone.now():
        problems["deadline"] = [_("A published call needs a deadline in the future.")]
    if not opportunity.title_id.strip():
        problems["title_id"] = [_("A published call needs its title in Indonesian.")]
    if not opportunity.title_en.strip():
        problems["title_en"] = [_("A published call needs its title in English.")]
    if opportunity.allocation == Allocation.PANEL and not opportunity.panel_criteria:
        problems["panel_criteria"] = [_("Selection by a panel needs its criteria.")]
    if problems:
        raise ValidationError(problems)


def opportunity_transition(
    *,
    actor: Any,
    opportunity: Opportunity,
    target: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """Move a call one step forward (draft → published → closed → results published)."""
    _require(actor, "participation.change_opportunity", opportunity)
    reason = reason.strip()
    if (refused := check_text(reason, _("Reason"), multiline=True)) is not None:
        raise ValidationError({"reason": [refused]})
    with transaction.atomic():
        locked = _locked(opportunity, expected_version, {})
        if NEXT_STATUS.get(OpportunityStatus(locked.status)) != target:
            raise ValidationError(
                {
                    "status": [
                        _("A call that is %(status)s cannot become %(target)s.")
                        % {
                            "status": locked.get_status_display(),
                            "target": dict(OpportunityStatus.choices).get(target, target),
                        }
                    ]
                }
            )
        if target == OpportunityStatus.PUBLISHED:
            _publishable(locked)
            locked.published_at = timezone.now()
        if (
            target == OpportunityStatus.RESULTS_PUBLISHED
            and locked.allocation == Allocation.LOTTERY
            and not locked.lottery_seed
        ):
            raise ValidationError(
                {"lottery_seed": [_("A lottery's seed must be given before its results.")]}
            )
        locked.status = target
        locked.status_reason = reason
        locked.version += 1
        _save(locked, actor, reason or f"→ {target}")
        # Import here: the registrations import this module's neighbours, not the reverse.
        from kembar.participation import registrations

        if target == OpportunityStatus.PUBLISHED:
            from kembar.participation.tasks import call_announce

            pk = locked.pk
            transaction.on_commit(lambda: call_announce(pk))
        elif target == OpportunityStatus.CLOSED:
            registrations.places_release(locked, actor)
        elif target == OpportunityStatus.RESULTS_PUBLISHED:
            registrations.results_mail(locked)
    return locked


def opportunity_close_at_deadline(opportunity: Opportunity) -> bool:
    """Close a published call whose deadline has passed (the task queue; no actor).

    Recorded in the history like an officer's change, with the reason "deadline";
    a first-come call's unclaimed reserved places then go to the waiting list.
    False when there was nothing to do (closed meanwhile, or the deadline moved).
    """
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.status != OpportunityStatus.PUBLISHED or (
            locked.deadline is None or locked.deadline > timezone.now()
        ):
            return False
        locked.status = OpportunityStatus.CLOSED
        locked.status_reason = "deadline"
        locked.version += 1
        _save(locked, None, "deadline")
        from kembar.participation import registrations

        registrations.places_release(locked)
    return True


def _reservation_problems(
    opportunity: Opportunity, rows: Sequence[ReservationRow]
) -> dict[str, list[str]]:
    problems: list[str] = []
    allowed = set(kecamatan_of(opportunity.activity).values_list("kode", flat=True))
    seen = set()
    for row in rows:
        if row.dimension == ReservationDimension.KECAMATAN and row.code not in allowed:
            problems.append(
                _("%(code)s is not a kecamatan of the activity's region.") % {"code": row.code}
            )
        elif (
            row.dimension == ReservationDimension.GROUP and row.code not in StakeholderGroup.values
        ):
            problems.append(_("%(code)s is not a stakeholder group.") % {"code": row.code})
        elif row.dimension not in ReservationDimension.values:
            problems.append(_("Reserve places for a kecamatan or a stakeholder group."))
        if isinstance(row.places, bool) or not isinstance(row.places, int) or row.places < 1:
            problems.append(_("Reserve at least one place in each row."))
        if (row.dimension, row.code) in seen:
            problems.append(_("%(code)s is named twice.") % {"code": row.code})
        seen.add((row.dimension, row.code))
        if (refused := check_text(row.reason, _("Reason"))) is not None:
            problems.append(refused)
    total = sum(row.places for row in rows if isinstance(row.places, int))
    if not problems and total > opportunity.places:
        problems.append(
            _("%(reserved)d places reserved, more than the %(places)d places of the call.")
            % {"reserved": total, "places": opportunity.places}
        )
    return {"reservations": problems} if problems else {}


def opportunity_reservations_set(
    *,
    actor: Any,
    opportunity: Opportunity,
    rows: Sequence[ReservationRow],
    expected_version: int | None,
) -> Opportunity:
    """Replace the call's reserved places with ``rows`` (their total at most the places)."""
    _require(actor, "participation.change_opportunity", opportunity)
    with transaction.atomic():
        locked = _locked(opportunity, expected_version, {})
        if locked.status not in EDITABLE:
            raise ValidationError(_("A closed call can no longer be changed."))
        problems = _reservation_problems(locked, rows)
        if problems:
            raise ValidationError(problems)
        for old in locked.reservations.all():
            old._history_user = actor  # type: ignore[attr-defined]
            old.delete()
        for row in rows:
            reservation = OpportunityReservation(
                opportunity=locked,
                dimension=row.dimension,
                kecamatan_id=row.code if row.dimension == ReservationDimension.KECAMATAN else None,
                group=row.code if row.dimension == ReservationDimension.GROUP else "",
                places=row.places,
                reason=row.reason.strip(),
            )
            reservation._history_user = actor  # type: ignore[attr-defined]
            reservation.full_clean(exclude=["opportunity"])
            reservation.save()
        locked.version += 1
        _save(locked, actor, "reservations")
    return locked


def suggested_reservations(
    opportunity: Opportunity,
    *,
    user: Any,
    share: float = RESERVED_SHARE,
    top: int = SUGGESTED_UNITS,
) -> list[ReservationRow]:
    """Places to reserve for the most under-reached kecamatan and groups of the partnership.

    From ``user``'s (staff) reach figures of the activity's partnership
    (:func:`kembar.insights.reach.reach_figures`, its where-to-act list, the
    largest gap first): the ``top`` units with the largest gaps share
    ``floor(share × places)`` places in proportion to their missing
    participants (largest remainders; a unit that would get no place is left
    out).  Units the call's eligibility excludes are skipped.
    """
    from kembar.insights.reach import ReachFilters, reach_figures

    activity = opportunity.activity
    partnership = activity.partnership
    figures = reach_figures(
        filters=ReachFilters(region=partnership.local_region_id, partnership=partnership.slug),
        user=user,
        public=False,
    )
    eligible_kecamatan = set(opportunity.eligible_kecamatan.values_list("kode", flat=True))
    eligible_groups = set(opportunity.eligible_groups)
    units = []
    for unit in figures.where_to_act:
        if (
            unit["kind"] == "district"
            and eligible_kecamatan
            and unit["kode"] not in eligible_kecamatan
        ):
            continue
        if unit["kind"] == "group" and eligible_groups and unit["kode"] not in eligible_groups:
            continue
        if unit["missing_participants"]:
            units.append(unit)
    units = units[:top]
    budget = math.floor(share * opportunity.places)
    if not units or budget < 1:
        return []
    weights = [float(unit["missing_participants"]) for unit in units]
    total = sum(weights)
    exact = [budget * weight / total for weight in weights]
    places = [math.floor(value) for value in exact]
    order = sorted(range(len(units)), key=lambda i: (-(exact[i] - places[i]), i))
    for i in order[: budget - sum(places)]:
        places[i] += 1
    dimensions = {"district": ReservationDimension.KECAMATAN, "group": ReservationDimension.GROUP}
    return [
        ReservationRow(
            dimension=dimensions[unit["kind"]],
            code=unit["kode"],
            places=count,
            reason=(
                _("Where to act: %(name)s has %(missing)s fewer participants than its share.")
                % {"name": unit["name"], "missing": round(unit["missing_participants"])}
            )[:300],
        )
        for unit, count in zip(units, places, strict=True)
        if count > 0
    ]
