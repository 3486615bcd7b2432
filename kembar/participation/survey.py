"""The survey after an activity: one answer per participant, aggregated without small counts.

* **Who answers.** Only a registration checked in (status ``attended``),
  through the signed link of the survey e-mail or their own page.  **Once**:
  a second answer is refused (the first stands), so that a person cannot
  weigh twice in the figures, and the page shows the thank-you state
  instead of the form.
* **What is kept.** ``group`` and ``home_kecamatan`` are copied from the
  registration at answering, so that the aggregate stays when the person is
  erased; the free comment is personal and goes with them.
* **What is published.** :func:`survey_summary` aggregates by activity,
  group or home kecamatan.  A row of fewer than five answers is suppressed,
  and so is what would give one back from a shown total
  (:func:`kembar.analytics.disclosure.suppress_margins`, the rule of the reach
  figures).  The counts of a gain and of "would take part again: yes", and of
  those who did not choose it (the row's answers minus the first), are
  counts of people too and get the same protection across the rows.  Means
  and shares are shown only for rows of at least five answers.
* **Comments** are never published: :func:`survey_comments` gives them to a
  signed-in staff user who may manage the call, and no one else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kembar.analytics.disclosure import MarginsSuppression, suppress_margins
from kembar.common.text import check_text
from kembar.geo.models import Region
from kembar.participation.models import (
    Opportunity,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    SurveyAgain,
    SurveyGain,
    SurveyResponse,
)
from kembar.participation.registrations import RegistrationRefused
from kembar.programs.models import Activity, StakeholderGroup

__all__ = [
    "COMMENT_MAX",
    "SurveyBy",
    "survey_comments",
    "survey_submit",
    "survey_summary",
]

#: The longest free comment, in characters.
COMMENT_MAX = 2000

SurveyBy = Literal["activity", "group", "kecamatan"]


# --- answering -----------------------------------------------------------------------------


def _problems(
    gained: list[str], satisfaction: Any, again: str, comment: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    unknown = sorted({str(code) for code in gained} - set(SurveyGain.values))
    if unknown:
        problems["gained"] = [
            _("Unknown answer: %(codes)s. Choose from the list.") % {"codes": ", ".join(unknown)}
        ]
    if (
        isinstance(satisfaction, bool)
        or not isinstance(satisfaction, int)
        or not 1 <= satisfaction <= 5
    ):
        problems["satisfaction"] = [_("Choose how satisfied you are, from 1 to 5.")]
    if again not in SurveyAgain.values:
        problems["again"] = [_("Choose whether you would take part again: yes, maybe or no.")]
    if len(comment) > COMMENT_MAX:
        problems["comment"] = [
            _("Your comment may have at most %(max)s characters; it has %(length)s.")
            % {"max": f"{COMMENT_MAX:,}", "length": f"{len(comment):,}"}
        ]
    elif (refused := check_text(comment, _("Comment"), multiline=True)) is not None:
        problems["comment"] = [refused]
    return problems


def survey_submit(
    *, registration: Registration, gained: list[str], satisfaction: int, again: str, comment: str
) -> SurveyResponse:
    """Record the participant's answer to the survey (once).

    Invalid answers raise ``ValidationError`` by field; a registration not
    checked in, or already answered, raises
    :class:`~kembar.participation.registrations.RegistrationRefused` with
    code ``not_attended`` or ``answered``.
    """
    comment = (comment or "").strip()
    problems = _problems(list(gained), satisfaction, again, comment)
    if problems:
        raise ValidationError(problems)
    chosen = set(gained)
    # In the list's order, each once: the same answer however the form sent it.
    gains = [code for code in SurveyGain.values if code in chosen]
    try:
        with transaction.atomic():
            locked = (
                Registration.objects.select_for_update()
                .select_related("opportunity")
                .get(pk=registration.pk)
            )
            if locked.status != RegistrationStatus.ATTENDED:
                raise RegistrationRefused(
                    _(
                        "The survey is for those who took part; this registration was not "
                        "checked in."
                    ),
                    "not_attended",
                )
            if SurveyResponse.objects.filter(registration=locked).exists():
                raise RegistrationRefused(_answered_message(), "answered")
            RegistrationEvent.objects.create(
                opportunity_id=locked.opportunity_id,
                registration=locked,
                number=locked.number,
                kind=RegistrationEvent.Kind.SURVEY_ANSWERED,
            )
            return SurveyResponse.objects.create(
                registration=locked,
                activity_id=locked.opportunity.activity_id,
                opportunity=locked.opportunity,
                group=locked.group,
                home_kecamatan_id=locked.home_kecamatan_id,
                gained=gains,
                satisfaction=satisfaction,
                again=again,
                comment=comment,
            )
    except IntegrityError as error:  # the same person, answering twice at the same moment
        raise RegistrationRefused(_answered_message(), "answered") from error


def _answered_message() -> str:
    return _("You have already answered this survey; thank you. An answer cannot be changed.")


def survey_comments(*, actor: Any, opportunity: Opportunity) -> list[tuple[datetime, str]]:
    """The free comments of a call's answers, for staff who may manage the call only.

    Newest first, without name or number: a comment is shown for what it
    says, not who said it.  The caller logs the access
    (:func:`kembar.participation.registrations.log_personal_data_access`).
    """
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
        "participation.change_opportunity", opportunity
    ):
        raise PermissionDenied
    return list(
        SurveyResponse.objects.filter(opportunity=opportunity)
        .exclude(comment="")
        .order_by("-submitted_at", "-pk")
        .values_list("submitted_at", "comment")
    )


# --- the aggregate -------------------------------------------------------------------------


@dataclass
class _Cell:
    answers: int = 0
    satisfaction: int = 0
    again_yes: int = 0
    gains: Counter[str] = field(default_factory=Counter)

    def add(self, satisfaction: int, again: str, gained: Iterable[str]) -> None:
        self.answers += 1
        self.satisfaction += satisfaction
        self.again_yes += again == SurveyAgain.YES
        self.gains.update(code for code in set(gained) if code in SurveyGain.values)


def _responses(
    activity: Activity | None,
    local_region_id: str | None,
    activities: QuerySet[Activity] | None,
) -> QuerySet[SurveyResponse]:
    responses = SurveyResponse.objects.all()
    if activity is not None:
        responses = responses.filter(activity=activity)
    if local_region_id:
        responses = responses.filter(activity__partnership__local_region_id=local_region_id)
    if activities is not None:
        responses = responses.filter(activity__in=activities.values("pk"))
    return responses


def _labels(by: SurveyBy, keys: Iterable[Hashable]) -> dict[Hashable, str]:
    if by == "group":
        names = dict(StakeholderGroup.choices)
        return {key: str(names.get(str(key), key)) for key in keys}
    if by == "kecamatan":
        regions = dict(
            Region.objects.filter(kode__in=[k for k in keys if k]).values_list("kode", "name")
        )
        return {
            key: regions.get(str(key), str(key)) if key else _("outside the city") for key in keys
        }
    activities = Activity.objects.filter(pk__in=list(keys))
    return {a.pk: a.title for a in activities}


def _protect(counts: Mapping[Hashable, int]) -> MarginsSuppression:
    return suppress_margins({"rows": counts}, total=sum(counts.values()))


def _binary(
    cells: Mapping[Hashable, _Cell], chose: Mapping[Hashable, int]
) -> tuple[dict[Hashable, bool], bool]:
    """Which rows may show how many chose an answer, and whether the total row may.

    "Chose" and "did not" are both counts of people (the second is the row's
    answers minus the first), so each is protected across the rows, and a
    row shows its figure only when neither is hidden.
    """
    did = _protect(chose)
    did_not = _protect({key: cell.answers - chose[key] for key, cell in cells.items()})
    rows = {
        key: not (did.is_withheld("rows", key) or did_not.is_withheld("rows", key)) for key in cells
    }
    return rows, not (did.total_withheld or did_not.total_withheld)


def _row(
    key: Hashable,
    label: str,
    cell: _Cell,
    *,
    shown: bool,
    yes_shown: bool,
    gain_shown: Mapping[str, bool],
    total: bool,
) -> dict[str, Any]:
    """One row as the templates and tests read it; a suppressed row keeps only its label."""
    gains = [
        {
            "code": code,
            "label": str(name),
            "count": cell.gains[code] if shown and gain_shown[code] else None,
        }
        for code, name in SurveyGain.choices
    ]
    return {
        "key": key,
        "label": label,
        "total": total,
        "suppressed": not shown,
        "count": cell.answers if shown else None,
        "satisfaction": round(cell.satisfaction / cell.answers, 2) if shown else None,
        "again_yes": round(cell.again_yes / cell.answers, 4) if shown and yes_shown else None,
        "gains": gains,
    }


def survey_summary(
    activity: Activity | None = None,
    *,
    local_region_id: str | None = None,
    by: SurveyBy = "activity",
    activities: QuerySet[Activity] | None = None,
) -> list[dict[str, Any]]:
    """The survey's answers aggregated by ``by``, with small counts suppressed.

    ``activity``, ``local_region_id`` (the partnerships' local region) and
    ``activities`` (e.g. those the public may see) narrow the answers.  One
    row per activity, stakeholder group or home kecamatan (key ``None``:
    outside the city) with at least one answer, largest first, then the
    total row (``"total": True``); no answers, no rows.

    Each row: ``count`` (answers), ``satisfaction`` (mean, 1–5, 2 decimals),
    ``again_yes`` (share answering "yes", 0–1), ``gains`` (per code, in the
    list's order, how many chose it), and ``suppressed``.  A row of 1–4
    answers, or one whose count could be worked out from the total and the
    other rows, is suppressed: every figure ``None``.  Gain and "yes" counts
    are protected the same way across the rows (a hidden one is ``None``).
    """
    if by not in ("activity", "group", "kecamatan"):
        raise ValueError(by)
    column = {"activity": "activity_id", "group": "group", "kecamatan": "home_kecamatan_id"}[by]
    cells: dict[Hashable, _Cell] = {}
    everyone = _Cell()
    for key, satisfaction, again, gained in _responses(
        activity, local_region_id, activities
    ).values_list(column, "satisfaction", "again", "gained"):
        gained_list = gained if isinstance(gained, list) else []
        cells.setdefault(key, _Cell()).add(satisfaction, again, gained_list)
        everyone.add(satisfaction, again, gained_list)
    if not cells:
        return []
    answers = _protect({key: cell.answers for key, cell in cells.items()})
    yes, yes_total = _binary(cells, {key: cell.again_yes for key, cell in cells.items()})
    gains = {
        code: _binary(cells, {key: cell.gains[code] for key, cell in cells.items()})
        for code in SurveyGain.values
    }
    labels = _labels(by, cells)
    ordered = sorted(cells, key=lambda key: (-cells[key].answers, labels[key]))
    rows = [
        _row(
            key,
            labels[key],
            cells[key],
            shown=not answers.is_withheld("rows", key),
            yes_shown=yes[key],
            gain_shown={code: shown[key] for code, (shown, _total) in gains.items()},
            total=False,
        )
        for key in ordered
    ]
    rows.append(
        _row(
            None,
            _("All answers"),
            everyone,
            shown=not answers.total_withheld,
            yes_shown=yes_total,
            gain_shown={code: total for code, (_shown, total) in gains.items()},
            total=True,
        )
    )
    return rows
