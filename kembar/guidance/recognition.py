"""The annual recognition of partnerships, by published criteria computed from the record.

Which partnerships: those given (the public pages give the public ones) that
held at least one activity in the year, i.e. an activity that is not a
demonstration record, is ongoing or completed, and started in the year (on or
before the as-of date: 31 December, or today for the current year).
Demonstration records never count, in any criterion.

The five criteria (:data:`CRITERIA`), each a value in [0, 1] with its weight:

- **reach** (0.25): local participants of the year's activities per 10,000
  residents of the partnership's region (``Region.population``).  Fewer than
  5 participants count as none, so that the figure never stands for a group
  of one to four people.  Divided by the highest value among the partnerships
  ranked (the best scores 1); 0 when the population is unknown.
- **reciprocity** (0.20): 1 − |r|, with r the reciprocity of the health
  module (:mod:`kembar.analytics.health`: local minus partner effort over
  their sum, visits, contributions and hosting) on the record up to the as-of
  date; 1 is balanced, 0 one-sided or no exchange with a direction.
- **health** (0.15): the health score (0–100: recency, intensity, mutuality,
  agreement in force, breadth) as of the as-of date, divided by 100.
- **results** (0.20): over the indicator periods of the partnership's held
  activities that end in the year and have a target (not 0) and an actual
  value, the mean of actual ÷ target (target ÷ actual when lower is better,
  1 when the target is met), each at most 1 and at least 0; 0 without any.
  A period whose actual the public record hides (a count of people under 5,
  :func:`kembar.programs.disclosure.hidden_people_actuals`) is left out.
- **learning** (0.20): reviewed lessons drawn from the partnership's
  completed activities that ended in the year, plus 2 × policies the
  partnership led to that were adopted in the year and made public after
  review; divided by the highest value among the partnerships ranked.

Each value is rounded to four decimals; the total is Σ weight × value,
rounded to four decimals, so anyone can recompute it from the published
values.  Order: total, highest first; equal totals are ordered by the criteria
in the order above (reach first), then by the partner's name; the row says
which criterion broke the tie.  The first :data:`RECOGNISED` partnerships
with a total above 0 are recognised.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kembar.insights.health import health_figures
from kembar.knowledge.models import Lesson, LessonStatus, Policy
from kembar.partnerships.models import Partnership
from kembar.programs.disclosure import hidden_people_actuals
from kembar.programs.models import (
    Activity,
    ActivityStatus,
    IndicatorPeriod,
    ParticipantCount,
    ParticipantSide,
)

__all__ = [
    "CRITERIA",
    "FIRST_YEAR",
    "MIN_PARTICIPANTS",
    "RECOGNISED",
    "Criterion",
    "Recognition",
    "RecognitionRow",
    "achievement",
    "recognition",
    "recognition_years",
]

#: Fewer local participants than this count as none (small cells are never published).
MIN_PARTICIPANTS = 5
#: How many partnerships of a year are recognised.
RECOGNISED = 3
#: Residents the reach is counted per.
PER = 10_000
#: The earliest year a recognition page answers for.
FIRST_YEAR = 1950
#: A lesson counts 1 point, a policy adopted and made public this many.
POLICY_POINTS = 2
HELD = (ActivityStatus.ONGOING, ActivityStatus.COMPLETED)


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    weight: float
    name: Promise
    measure: Promise
    normalisation: Promise


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "reach",
        0.25,
        _("Reach"),
        _(
            "Local participants in the year's activities per 10,000 residents of the region; "
            "fewer than five participants count as none."
        ),
        _("Divided by the highest value of the year: the best partnership scores 1."),
    ),
    Criterion(
        "reciprocity",
        0.20,
        _("Reciprocity"),
        _(
            "The reciprocity r of the health score, from −1 (the partner carries everything) to "
            "+1 (our region carries everything): visits, contributions and hosting each way, "
            "on the record up to the end of the year."
        ),
        _(
            "1 − |r|: 1 when both sides carry the same, 0 when one side carries it all or "
            "nothing has a direction."
        ),
    ),
    Criterion(
        "health",
        0.15,
        _("Health"),
        _(
            "The partnership's health score (0–100: recency, intensity, exchange both ways, "
            "agreement in force, breadth) at the end of the year."
        ),
        _("The score divided by 100."),
    ),
    Criterion(
        "results",
        0.20,
        _("Results"),
        _(
            "Indicator periods ending in the year with a target and an actual value: actual ÷ "
            "target (target ÷ actual when lower is better), at most 1."
        ),
        _("The mean over those periods; 0 when there is none."),
    ),
    Criterion(
        "learning",
        0.20,
        _("Learning"),
        _(
            "Reviewed lessons from the activities completed in the year, plus 2 for each policy "
            "adopted in the year because of the partnership and made public after review."
        ),
        _("Divided by the highest value of the year: the best partnership scores 1."),
    ),
)
_KEYS = tuple(criterion.key for criterion in CRITERIA)
_WEIGHTS = {criterion.key: criterion.weight for criterion in CRITERIA}


@dataclass(frozen=True, slots=True)
class CriterionValue:
    """One criterion of one partnership: the figure measured, its 0–1 value and its points."""

    key: str
    raw: float | None
    value: float
    weighted: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecognitionRow:
    rank: int
    slug: str
    partner_name: str
    partner_country: str
    local_region: str
    local_region_name: str
    total: float
    criteria: tuple[CriterionValue, ...]
    recognised: bool
    #: The criterion that ordered this row after the one above with the same total, or "name".
    tie_break: str = ""

    def value(self, key: str) -> CriterionValue:
        return next(item for item in self.criteria if item.key == key)


@dataclass
class Recognition:
    year: int
    as_of: dt.date
    rows: list[RecognitionRow]
    criteria: tuple[Criterion, ...] = CRITERIA

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the public figures (no count of participants)."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "criteria": [
                {
                    "key": criterion.key,
                    "name": str(criterion.name),
                    "weight": criterion.weight,
                    "measure": str(criterion.measure),
                    "normalisation": str(criterion.normalisation),
                }
                for criterion in self.criteria
            ],
            "partnerships": [
                {
                    "rank": row.rank,
                    "slug": row.slug,
                    "partner_name": row.partner_name,
                    "partner_country": row.partner_country,
                    "local_region": row.local_region,
                    "local_region_name": row.local_region_name,
                    "total": row.total,
                    "recognised": row.recognised,
                    "tie_break": row.tie_break or None,
                    "criteria": {
                        item.key: {
                            "raw": item.raw,
                            "value": item.value,
                            "weighted": item.weighted,
                            **item.detail,
                        }
                        for item in row.criteria
                    },
                }
                for row in self.rows
            ],
        }


def achievement(target: Decimal, actual: Decimal, *, higher_is_better: bool) -> float:
    """How far ``actual`` got to ``target``, in [0, 1].

    >>> achievement(Decimal(40), Decimal(30), higher_is_better=True)
    0.75
    >>> achievement(Decimal(10), Decimal(12), higher_is_better=True)
    1.0
    >>> achievement(Decimal(10), Decimal(20), higher_is_better=False)
    0.5
    >>> achievement(Decimal(10), Decimal(8), higher_is_better=False)
    1.0
    """
    if higher_is_better:
        ratio = actual / target
    elif actual <= target:
        ratio = Decimal(1)
    else:
        ratio = target / actual
    return float(min(max(ratio, Decimal(0)), Decimal(1)))


def _as_of(year: int, today: dt.date) -> dt.date:
    return min(dt.date(year, 12, 31), today)


def _held(partnerships: QuerySet[Partnership], year: int, as_of: dt.date) -> QuerySet[Activity]:
    return Activity.objects.filter(
        partnership__in=partnerships.values("pk"),
        is_demo=False,
        status__in=HELD,
        start_date__year=year,
        start_date__lte=as_of,
    )


def recognition_years(
    partnerships: QuerySet[Partnership], today: dt.date | None = None
) -> list[int]:
    """The years in which any of ``partnerships`` held an activity, latest first."""
    today = today or timezone.localdate()
    years = (
        Activity.objects.filter(
            partnership__in=partnerships.values("pk"),
            is_demo=False,
            status__in=HELD,
            start_date__lte=today,
        )
        .values_list("start_date__year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def _by_partnership(rows: Any) -> dict[int, int]:
    return {pid: int(n or 0) for pid, n in rows}


def _results(ids: list[int], year: int, as_of: dt.date) -> dict[int, list[float]]:
    periods = list(
        IndicatorPeriod.objects.filter(
            indicator__result__activity__partnership_id__in=ids,
            indicator__result__activity__is_demo=False,
            indicator__result__activity__status__in=HELD,
            period_end__year=year,
            period_end__lte=as_of,
            target__isnull=False,
            actual__isnull=False,
        )
        .exclude(target=0)
        .values_list(
            "pk",
            "indicator__result__activity_id",
            "indicator__result__activity__partnership_id",
            "target",
            "actual",
            "indicator__higher_is_better",
        )
    )
    activities = Activity.objects.filter(pk__in={row[1] for row in periods}).prefetch_related(
        "results__indicators__periods__disaggregations"
    )
    hidden: set[int] = set()
    for activity in activities:
        hidden |= hidden_people_actuals(activity)
    found: dict[int, list[float]] = defaultdict(list)
    for pk, _activity, pid, target, actual, higher in periods:
        if pk in hidden or target is None or actual is None:
            continue
        found[pid].append(achievement(target, actual, higher_is_better=higher))
    return found


def _relative(values: dict[int, float | None]) -> dict[int, float]:
    """Each value divided by the highest (0 for none, or when the highest is 0)."""
    best = max((value for value in values.values() if value is not None), default=0.0)
    return {pid: (value / best if value and best else 0.0) for pid, value in values.items()}


def _rank(rows: list[RecognitionRow]) -> None:
    def key(row: RecognitionRow) -> tuple[Any, ...]:
        values = tuple(-row.value(name).value for name in _KEYS)
        return (-row.total, *values, row.partner_name.casefold(), row.slug)

    rows.sort(key=key)
    for index, row in enumerate(rows):
        row.rank = index + 1
        row.recognised = row.rank <= RECOGNISED and row.total > 0
        if index and rows[index - 1].total == row.total:
            above = rows[index - 1]
            row.tie_break = next(
                (name for name in _KEYS if above.value(name).value != row.value(name).value),
                "name",
            )


def recognition(
    *, year: int, partnerships: QuerySet[Partnership], today: dt.date | None = None
) -> Recognition:
    """The ranking of ``partnerships`` for ``year`` (see the module for the criteria)."""
    today = today or timezone.localdate()
    as_of = _as_of(year, today)
    held = _held(partnerships, year, as_of)
    activities = _by_partnership(
        held.values("partnership_id").annotate(n=Count("pk")).values_list("partnership_id", "n")
    )
    chosen = list(
        Partnership.objects.filter(pk__in=list(activities))
        .select_related("local_region", "partner_country")
        .order_by("pk")
    )
    ids = [p.pk for p in chosen]
    people = _by_partnership(
        ParticipantCount.objects.filter(activity__in=held, side=ParticipantSide.LOCAL)
        .values("activity__partnership_id")
        .annotate(n=Sum("count"))
        .values_list("activity__partnership_id", "n")
    )
    health = {
        row["slug"]: row
        for row in health_figures(
            partnerships=Partnership.objects.filter(pk__in=ids),
            public=True,
            as_of=as_of,
            demo=False,
        ).partnerships
    }
    results = _results(ids, year, as_of)
    lessons = _by_partnership(
        Lesson.objects.filter(
            status=LessonStatus.REVIEWED,
            source_activity__partnership_id__in=ids,
            source_activity__is_demo=False,
            source_activity__status=ActivityStatus.COMPLETED,
            source_activity__end_date__year=year,
            source_activity__end_date__lte=as_of,
        )
        .values("source_activity__partnership_id")
        .annotate(n=Count("pk"))
        .values_list("source_activity__partnership_id", "n")
    )
    policies = _by_partnership(
        Policy.objects.filter(
            partnership_id__in=ids,
            is_public=True,
            reviewed_at__isnull=False,
            adopted_on__year=year,
            adopted_on__lte=as_of,
        )
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values_list("partnership_id", "n")
    )

    counted = {pid: n if n >= MIN_PARTICIPANTS else 0 for pid, n in people.items()}
    reach_raw: dict[int, float | None] = {}
    for p in chosen:
        population = p.local_region.population
        reach_raw[p.pk] = round(PER * counted.get(p.pk, 0) / population, 4) if population else None
    learning_raw: dict[int, float | None] = {
        pid: float(lessons.get(pid, 0) + POLICY_POINTS * policies.get(pid, 0)) for pid in ids
    }
    reach_value, learning_value = _relative(reach_raw), _relative(learning_raw)

    rows = []
    for p in chosen:
        figures = health.get(p.slug, {})
        reciprocity, score = figures.get("reciprocity"), figures.get("score")
        achieved = results.get(p.pk, [])
        raw: dict[str, tuple[float | None, float, dict[str, Any]]] = {
            "reach": (
                reach_raw[p.pk],
                reach_value[p.pk],
                {"activities": activities[p.pk], "population": p.local_region.population},
            ),
            "reciprocity": (
                reciprocity,
                1 - abs(reciprocity) if reciprocity is not None else 0.0,
                {},
            ),
            "health": (score, score / 100 if score is not None else 0.0, {}),
            "results": (
                round(sum(achieved) / len(achieved), 4) if achieved else None,
                sum(achieved) / len(achieved) if achieved else 0.0,
                {"periods": len(achieved)},
            ),
            "learning": (
                learning_raw[p.pk],
                learning_value[p.pk],
                {"lessons": lessons.get(p.pk, 0), "policies": policies.get(p.pk, 0)},
            ),
        }
        values = []
        for key in _KEYS:
            figure, value, detail = raw[key]
            rounded = round(value, 4)
            values.append(
                CriterionValue(
                    key=key,
                    raw=figure,
                    value=rounded,
                    weighted=round(_WEIGHTS[key] * rounded, 4),
                    detail=detail,
                )
            )
        rows.append(
            RecognitionRow(
                rank=0,
                slug=p.slug,
                partner_name=p.partner_name,
                partner_country=p.partner_country.name if p.partner_country else "",
                local_region=p.local_region_id,
                local_region_name=p.local_region.name,
                total=round(sum(_WEIGHTS[item.key] * item.value for item in values), 4),
                criteria=tuple(values),
                recognised=False,
            )
        )
    _rank(rows)
    return Recognition(year=year, as_of=as_of, rows=rows)
