"""The records Kembar indexes itself: activities and trip reports.

An activity is public exactly when the public activities API shows it to an
anonymous caller (:func:`kembar.programs.selectors.visible_activities_q`, the
rule :func:`kembar.portal.activities.public_activities` uses: an activity of a
public partnership).  A trip report is never public (the portal does not show
trip reports; the council reads them in the staff area).  Its text, written
in whichever language the officer used, is indexed as both Indonesian and
English; its title is its activity's.

Facets: sector, government affair (urusan), SDG goals (of the goals and the
targets recorded), partner city and local region of the partnership, the
responsible agency, and the year the activity starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse

from kembar.partnerships.models import Partnership
from kembar.programs.models import Activity, TripReport
from kembar.programs.selectors import visible_activities_q
from kembar.search.engine import Document
from kembar.search.models import DocumentKind
from kembar.search.registry import register_source

__all__ = ["activity_documents", "register_builtin_sources", "trip_report_documents"]


def _public_ids(activity_ids: list[int]) -> set[int]:
    return set(
        Activity.objects.filter(
            visible_activities_q(AnonymousUser()), pk__in=activity_ids
        ).values_list("pk", flat=True)
    )


def _facets(activity: Activity) -> dict[str, Any]:
    goals = [goal.code for goal in activity.sdg_goals.all()]
    targets = [target.code for target in activity.sdg_targets.all()]
    return {
        "region": activity.partnership.local_region_id,
        "sector": activity.sector_id,
        "urusan": activity.government_affair_id,
        "sdg": [*goals, *targets],
        "partner_city": activity.partnership.partner_city_id,
        "agency": activity.agency_id,
        "year": activity.start_date.year,
    }


def _with_facets(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.select_related("partnership").prefetch_related("sdg_goals", "sdg_targets")


def activity_documents(activities: QuerySet[Activity]) -> Iterator[Document]:
    """One document per activity: its titles and descriptions."""
    records = list(_with_facets(activities))
    public = _public_ids([activity.pk for activity in records])
    for activity in records:
        yield Document(
            object_id=activity.pk,
            title_id=activity.title_id,
            title_en=activity.title_en,
            body_id=activity.description_id,
            body_en=activity.description_en,
            url=reverse("activities:detail", args=[activity.reference]),
            public=activity.pk in public,
            **_facets(activity),
        )


def trip_report_documents(reports: QuerySet[TripReport]) -> Iterator[Document]:
    """One document per trip report: its activity's titles, its purpose and outputs."""
    records = reports.select_related("activity__partnership").prefetch_related(
        "activity__sdg_goals", "activity__sdg_targets"
    )
    for report in records:
        activity = report.activity
        text = f"{report.purpose}\n\n{report.outputs}"
        yield Document(
            object_id=report.pk,
            title_id=activity.title_id,
            title_en=activity.title_en,
            body_id=text,
            body_en=text,
            url=reverse("activities:trip-report", args=[activity.reference]),
            public=False,
            **_facets(activity),
        )


def register_builtin_sources() -> None:
    """Index activities and trip reports, following their partnerships and activities."""
    register_source(
        DocumentKind.ACTIVITY,
        Activity,
        activity_documents,
        follows={Partnership: lambda partnership: partnership.activities.all()},
    )
    register_source(
        DocumentKind.TRIP_REPORT,
        TripReport,
        trip_report_documents,
        follows={
            Activity: lambda activity: TripReport.objects.filter(activity=activity),
            Partnership: lambda partnership: TripReport.objects.filter(
                activity__partnership=partnership
            ),
        },
    )
