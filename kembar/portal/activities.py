"""The public activity pages: one page per public activity, and the calendar.

An activity is public when the public activities API shows it to an anonymous
caller (:func:`kembar.programs.selectors.activity_list`, that is, an activity
of a public partnership) and it belongs to one of the home region's
partnerships, whose pages link to it.  Who it reached is the API's protected
``participant_summary`` (:mod:`kembar.programs.disclosure`): counts of 1–4
people are never shown, nor any that would give one back.  It counts the
people officers typed and those counted from registrations checked in on the
portal; the table by source is shown once anyone registered was counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kembar.programs.disclosure import MARGINS, participant_summary
from kembar.programs.models import Activity, CountSource, ParticipantCount, Result
from kembar.programs.selectors import activity_list

__all__ = [
    "ActivityPage",
    "CalendarMonth",
    "CalendarPage",
    "SummaryTable",
    "activity_page",
    "calendar_page",
    "parse_month",
    "public_activities",
]

#: How many upcoming activities the calendar lists when no month is asked for.
UPCOMING_LIMIT = 60
#: The months the calendar accepts (outside, the date arithmetic would overflow).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def public_activities(*, region_kode: str) -> QuerySet[Activity]:
    """The activities the public API shows, of the home region's partnerships."""
    return activity_list(user=AnonymousUser()).filter(partnership__local_region_id=region_kode)


#: The heading of each table of the participant summary.
TABLE_HEADINGS: dict[str, Promise] = {
    "side": _("By side"),
    "source": _("By who counted them"),
    "gender": _("By gender"),
    "age_band": _("By age band"),
    "group": _("By group"),
    "home_region": _("By home kecamatan"),
}


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """One protected one-way table of an activity's participants (``cells`` as the API)."""

    name: str
    heading: Promise
    cells: list[dict[str, Any]]
    withheld: bool


@dataclass(frozen=True, slots=True)
class ActivityPage:
    activity: Activity
    place: str
    results: list[Result]
    #: The public API's ``participant_summary`` of the activity.
    summary: dict[str, Any]
    tables: list[SummaryTable]


def _place(activity: Activity) -> str:
    if activity.in_partner_city:
        return activity.partnership.partner_name
    if activity.place_region is not None:
        return activity.place_region.name
    return ""


def _counted_from_registrations(cells: list[dict[str, Any]]) -> bool:
    """Whether the source table has people counted from registrations (or hides how many)."""
    return any(
        cell["code"] == CountSource.REGISTRATIONS and (cell["suppressed"] or cell["count"])
        for cell in cells
    )


def _tables(summary: dict[str, Any]) -> list[SummaryTable]:
    return [
        SummaryTable(
            name=name,
            heading=TABLE_HEADINGS[name],
            cells=summary[name],
            withheld=name in summary["withheld"],
        )
        for name in MARGINS
        if (summary[name] or name in summary["withheld"])
        and (name != "source" or _counted_from_registrations(summary[name]))
    ]


def activity_page(*, region_kode: str, reference: str) -> ActivityPage | None:
    """One public activity as the public sees it, or ``None``."""
    activity = (
        public_activities(region_kode=region_kode)
        .filter(reference=reference)
        .prefetch_related(
            Prefetch(
                "participant_counts",
                ParticipantCount.objects.select_related("home_region").order_by(
                    "side", "group", "gender", "age_band", "home_region_id"
                ),
            ),
            Prefetch("results", Result.objects.order_by("level", "title")),
        )
        .first()
    )
    if activity is None:
        return None
    summary = participant_summary(activity, exact=False)
    return ActivityPage(
        activity=activity,
        place=_place(activity),
        results=list(activity.results.all()),
        summary=summary,
        tables=_tables(summary),
    )


# --- The calendar -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarMonth:
    first_day: dt.date
    activities: list[Activity]


@dataclass(frozen=True, slots=True)
class CalendarPage:
    #: The month asked for, or ``None`` for the upcoming activities.
    month: dt.date | None
    months: list[CalendarMonth]
    previous_month: str
    next_month: str
    #: The latest month with an activity before today (for an empty list of upcoming ones).
    latest_month: str


def parse_month(text: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month; ``None`` when it is not one."""
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        return None
    return month if FIRST_YEAR <= month.year <= LAST_YEAR else None


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _neighbour(month: dt.date, months: int) -> str:
    """The month ``months`` away as ``YYYY-MM``, or "" outside the months accepted."""
    shifted = _shift(month, months)
    return _label(shifted) if FIRST_YEAR <= shifted.year <= LAST_YEAR else ""


def _by_month(activities: list[Activity], floor: dt.date | None) -> list[CalendarMonth]:
    """Activities grouped by the month they start in (or ``floor``'s, for one started before)."""
    months: dict[dt.date, list[Activity]] = {}
    for activity in activities:
        start = activity.start_date.replace(day=1)
        if floor is not None and start < floor:
            start = floor
        months.setdefault(start, []).append(activity)
    return [CalendarMonth(first_day=day, activities=rows) for day, rows in months.items()]


def calendar_page(*, region_kode: str, month: dt.date | None, today: dt.date) -> CalendarPage:
    """The public activities running in ``month``, or the upcoming ones (soonest first)."""
    activities = public_activities(region_kode=region_kode).order_by(
        "start_date", "end_date", "reference"
    )
    this_month = today.replace(day=1)
    if month is None:
        rows = list(activities.filter(end_date__gte=today)[:UPCOMING_LIMIT])
        months = _by_month(rows, floor=this_month)
        anchor = this_month
    else:
        after = _shift(month, 1)
        rows = list(activities.filter(start_date__lt=after, end_date__gte=month))
        months = [CalendarMonth(first_day=month, activities=rows)] if rows else []
        anchor = month
    latest = (
        activities.filter(start_date__lt=today)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
    ).first()
    return CalendarPage(
        month=month,
        months=months,
        previous_month=_neighbour(anchor, -1),
        next_month=_neighbour(anchor, 1),
        latest_month=_label(latest) if latest is not None else "",
    )
