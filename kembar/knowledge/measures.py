"""Learning measures of a region: the records as plain rows for :mod:`kembar.analytics.learning`.

The staff dashboard (``/staff/knowledge/measures/``), its CSV downloads and
the council report's "Learning" section all come from
:func:`learning_figures` and :func:`learning_tables`, so they show the same
figures.

What is read, for the region ``region_id``:

- completed activities of the region's partnerships (``status`` completed),
  by the year of their end date; demonstration records as the reach
  dashboard treats them: counted unless ``demo`` says otherwise (``False``:
  real ones only, ``True``: demonstration only), and ``includes_demo`` says
  whether any was counted.  The council report asks for real ones only;
- the lessons whose source activity is one of them (draft or reviewed); the
  day a lesson was reviewed is the day of its first history record with the
  status ``reviewed`` (a lesson accepted from a reflection is reviewed when
  it is made), in the local time zone;
- the outcome of a lesson applied, from its follow-ups;
- the region's policies, by the year of adoption; a policy's sectors are
  those of the activities and lessons that led to it.

With ``partnerships`` (the council report: the public partnerships), only
their activities count, a policy names a partnership only if it is one of
them, and ``public_policies`` keeps the policies made public after review.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.analytics.learning import (
    ActivityRow,
    LearningMeasures,
    LessonRow,
    PolicyRow,
    learning_by_year,
    learning_measures,
)
from kembar.knowledge.models import OPEN_STAGES, FollowUp, Lesson, LessonStatus, Policy
from kembar.partnerships.models import Partnership
from kembar.programs.models import Activity, ActivityStatus, Sector

__all__ = ["LearningFigures", "MeasureTable", "learning_figures", "learning_tables"]

Cell = str | int | Decimal | None


@dataclass(frozen=True, slots=True)
class LearningFigures:
    """The measures of the chosen year (all years when ``year`` is None) and of every year."""

    region_id: str
    year: int | None
    today: dt.date
    measures: LearningMeasures
    by_year: dict[int, LearningMeasures]
    years: tuple[int, ...]
    includes_demo: bool


@dataclass(frozen=True, slots=True)
class MeasureTable:
    """One table of the measures, as the dashboard, the CSV and the report show it."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _activities(
    region_id: str, demo: bool | None, partnerships: QuerySet[Partnership] | None
) -> list[dict[str, Any]]:
    activities = Activity.objects.filter(
        partnership__local_region_id=region_id, status=ActivityStatus.COMPLETED
    )
    if demo is not None:
        activities = activities.filter(is_demo=demo)
    if partnerships is not None:
        activities = activities.filter(partnership__in=partnerships.values("pk"))
    fields = ("pk", "end_date", "is_demo", "reflection__status")
    return [dict(row) for row in activities.values(*fields)]


def _reviewed_days(lesson_ids: list[int]) -> dict[int, dt.date]:
    history = Lesson.history.model.objects.filter(id__in=lesson_ids, status=LessonStatus.REVIEWED)
    return {
        row["id"]: timezone.localtime(row["first"]).date()
        for row in history.values("id").annotate(first=Min("history_date")).order_by()
    }


def _outcomes(lesson_ids: list[int]) -> dict[int, str]:
    stages: dict[int, set[str]] = defaultdict(set)
    for lesson, stage in FollowUp.objects.filter(lesson_id__in=lesson_ids).values_list(
        "lesson_id", "stage"
    ):
        stages[lesson].add(stage)
    outcomes = {}
    for lesson, seen in stages.items():
        if "adopted" in seen:
            outcomes[lesson] = "adopted"
        elif seen & {str(stage) for stage in OPEN_STAGES}:
            outcomes[lesson] = "open"
        else:
            outcomes[lesson] = "dropped"
    return outcomes


def _lessons(region_id: str, activity_ids: list[int]) -> list[LessonRow]:
    lessons = list(
        Lesson.objects.filter(region_id=region_id, source_activity_id__in=activity_ids).values(
            "pk", "source_activity_id", "status"
        )
    )
    ids = [row["pk"] for row in lessons]
    reviewed, outcomes = _reviewed_days(ids), _outcomes(ids)
    return [
        LessonRow(
            lesson=row["pk"],
            activity=row["source_activity_id"],
            reviewed=reviewed.get(row["pk"]) if row["status"] == LessonStatus.REVIEWED else None,
            outcome=outcomes.get(row["pk"]),
        )
        for row in lessons
    ]


def _policies(
    region_id: str, partnerships: QuerySet[Partnership] | None, public_policies: bool
) -> list[PolicyRow]:
    policies = Policy.objects.filter(region_id=region_id)
    if public_policies:
        policies = policies.filter(is_public=True)
    allowed = set(partnerships.values_list("pk", flat=True)) if partnerships is not None else None
    sectors: dict[int, set[int]] = defaultdict(set)
    for field in ("activities__sector", "lessons__sector"):
        for pk, code in policies.filter(**{f"{field}__isnull": False}).values_list("pk", field):
            sectors[pk].add(code)
    names = {sector.code: sector.name for sector in Sector.objects.all()}
    rows = []
    for pk, adopted, partnership_id, partner in policies.values_list(
        "pk", "adopted_on", "partnership_id", "partnership__partner_name"
    ):
        named = partnership_id is not None and (allowed is None or partnership_id in allowed)
        rows.append(
            PolicyRow(
                policy=pk,
                adopted=adopted,
                partnership=partner if named else "",
                sectors=tuple(sorted(names[code] for code in sectors[pk])),
            )
        )
    return rows


def learning_figures(
    *,
    region_id: str,
    year: int | None = None,
    today: dt.date | None = None,
    demo: bool | None = None,
    partnerships: QuerySet[Partnership] | None = None,
    public_policies: bool = False,
) -> LearningFigures:
    """The learning measures of ``region_id`` for ``year`` (all years: None) and by year."""
    today = today or timezone.localdate()
    activities = _activities(region_id, demo, partnerships)
    activity_rows = [
        ActivityRow(row["pk"], row["end_date"], row["reflection__status"]) for row in activities
    ]
    lesson_rows = _lessons(region_id, [row.activity for row in activity_rows])
    policy_rows = _policies(region_id, partnerships, public_policies)
    by_year = learning_by_year(activity_rows, lesson_rows, policy_rows, today=today)
    if year is not None:
        activity_rows = [row for row in activity_rows if row.end.year == year]
        policy_rows = [row for row in policy_rows if row.adopted.year == year]
    return LearningFigures(
        region_id=region_id,
        year=year,
        today=today,
        measures=learning_measures(activity_rows, lesson_rows, policy_rows, today=today),
        by_year=by_year,
        years=tuple(sorted(by_year)),
        includes_demo=any(
            row["is_demo"] for row in activities if year is None or row["end_date"].year == year
        ),
    )


# --- Tables -----------------------------------------------------------------------------------


def _ratio(value: float | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _percent(share: float | None) -> Decimal | None:
    return None if share is None else _ratio(100 * share, "0.1")


def _summary(m: LearningMeasures) -> MeasureTable:
    rows: tuple[tuple[Cell, ...], ...] = (
        (_("Completed activities"), m.completed),
        (_("Lessons from them"), m.lessons),
        (_("Lessons per completed activity"), _ratio(m.lessons_per_activity)),
        (_("Completed activities with a reflection (%)"), _percent(m.share(m.reflected))),
        (_("Reviewed lessons"), m.reviewed),
        (_("Median days from activity end to lesson review"), _ratio(m.median_days, "0.1")),
        (_("90th percentile of days to lesson review"), _ratio(m.p90_days, "0.1")),
        (_("Lessons applied"), m.applied),
        (_("Lessons applied (%)"), _percent(m.applied_share)),
        (_("Policies adopted"), m.policies),
    )
    return MeasureTable("summary", _("Learning measures"), (_("Measure"), _("Value")), rows)


def _reflections(m: LearningMeasures) -> MeasureTable:
    rows = tuple(
        (label, count, _percent(m.share(count)))
        for label, count in (
            (_("reflection submitted or accepted"), m.reflected),
            (_("reflection still due (within 30 days of the end)"), m.due),
            (_("reflection missing (more than 30 days after the end)"), m.missing),
        )
    )
    return MeasureTable(
        "reflections",
        _("Reflections on completed activities"),
        (_("Reflection"), _("Activities"), _("Share (%)")),
        (*rows, (_("Total"), m.completed, _percent(1.0 if m.completed else None))),
    )


def _outcomes_table(m: LearningMeasures) -> MeasureTable:
    rows: tuple[tuple[Cell, ...], ...] = (
        (_("policy adopted"), m.adopted),
        (_("still being applied"), m.open),
        (_("dropped"), m.dropped),
        (_("Total"), m.applied),
    )
    return MeasureTable(
        "outcomes", _("Lessons applied and their outcome"), (_("Outcome"), _("Lessons")), rows
    )


def _policy_table(
    key: str, title: str, column: str, counts: tuple[tuple[str, int], ...], none: str, total: int
) -> MeasureTable:
    rows = tuple((name or none, count) for name, count in counts)
    return MeasureTable(key, title, (column, _("Policies")), (*rows, (_("Total"), total)))


def _years(by_year: dict[int, LearningMeasures]) -> MeasureTable:
    rows = tuple(
        (
            str(year),
            m.completed,
            m.lessons,
            _ratio(m.lessons_per_activity),
            _percent(m.share(m.reflected)),
            _ratio(m.median_days, "0.1"),
            m.applied,
            m.policies,
        )
        for year, m in sorted(by_year.items())
    )
    columns = (
        _("Year"),
        _("Completed activities"),
        _("Lessons"),
        _("Lessons per activity"),
        _("With a reflection (%)"),
        _("Median days to review"),
        _("Lessons applied"),
        _("Policies adopted"),
    )
    return MeasureTable("years", _("By year"), columns, rows)


def learning_tables(figures: LearningFigures) -> tuple[MeasureTable, ...]:
    """The tables of ``figures``, labelled in the active language; an empty value is None."""
    m = figures.measures
    return (
        _summary(m),
        _reflections(m),
        _outcomes_table(m),
        _policy_table(
            "policies_partnership",
            _("Policies adopted per partnership"),
            _("Partnership"),
            m.policies_by_partnership,
            _("no partnership named"),
            m.policies,
        ),
        _policy_table(
            "policies_sector",
            _("Policies adopted per sector"),
            _("Sector"),
            m.policies_by_sector,
            _("no sector recorded"),
            m.policies,
        ),
        _years(figures.by_year),
    )
