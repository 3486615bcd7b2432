"""Reads of activities, joined and prefetched for their callers (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from kembar.accounts.models import Organisation, OrganisationKind, Role
from kembar.accounts.rules import has_role
from kembar.partnerships.access import listed_partnerships_through, staff_partnerships_through
from kembar.partnerships.models import Partnership
from kembar.programs.disclosure import breakdown_partnerships
from kembar.programs.models import (
    Activity,
    Indicator,
    IndicatorPeriod,
    ParticipantCount,
    Result,
)

__all__ = [
    "ACTIVITY_SORTS",
    "ActivityFilters",
    "activity_detail_get",
    "activity_list",
    "activity_with_children",
    "agencies_for",
    "visible_activities_q",
]

#: Sort keys the list offers, each with its ordering.
ACTIVITY_SORTS: dict[str, tuple[str, ...]] = {
    "start": ("start_date", "reference"),
    "-start": ("-start_date", "reference"),
    "reference": ("reference",),
    "partnership": ("partnership__partner_name", "-start_date", "reference"),
    "agency": ("agency__name", "-start_date", "reference"),
    "participants": ("-participants_local", "reference"),  # see _by_participants_shown
}


@dataclass(frozen=True, slots=True)
class ActivityFilters:
    """What a list of activities is narrowed by; empty values do not narrow."""

    partnership: str = ""
    agency: str = ""
    sector: int | None = None
    kind: str = ""
    year: int | None = None
    status: str = ""
    search: str = ""
    demo: bool | None = None
    sort: str = "-start"

    @property
    def narrowed(self) -> bool:
        return any(
            (
                self.partnership,
                self.agency,
                self.sector,
                self.kind,
                self.year,
                self.status,
                self.search,
                self.demo is not None,
            )
        )


def visible_activities_q(user: Any, *, include_public: bool = True) -> Q:
    """Activities of the partnerships ``user`` may see.

    ``include_public`` adds the public partnerships' (what anonymous users
    see; :func:`~kembar.partnerships.access.listed_partnerships`, the API);
    staff pages leave it out (:func:`~kembar.partnerships.access.staff_partnerships`).
    """
    if include_public:
        return listed_partnerships_through(user)
    return staff_partnerships_through(user)


def activity_list(
    *, user: Any, filters: ActivityFilters | None = None, include_public: bool = True
) -> QuerySet[Activity]:
    """The activities ``user`` may see, narrowed by ``filters`` and sorted."""
    filters = filters or ActivityFilters()
    activities = (
        Activity.objects.filter(visible_activities_q(user, include_public=include_public))
        .select_related(
            "partnership__local_region",
            "partnership__partner_country",
            "agency",
            "sector",
            "government_affair",
            "place_region",
        )
        .prefetch_related("sdg_goals", "sdg_targets", "focus_areas")
    )
    if filters.partnership:
        activities = activities.filter(partnership__slug=filters.partnership)
    if filters.agency:
        activities = activities.filter(agency__slug=filters.agency)
    if filters.sector is not None:
        activities = activities.filter(sector_id=filters.sector)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.year is not None:
        # An activity belongs to every year it runs in.
        activities = activities.filter(
            start_date__year__lte=filters.year, end_date__year__gte=filters.year
        )
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.demo is not None:
        activities = activities.filter(is_demo=filters.demo)
    if filters.search:
        term = filters.search.strip()
        activities = activities.filter(
            Q(reference__icontains=term)
            | Q(title_id__icontains=term)
            | Q(title_en__icontains=term)
            | Q(partnership__partner_name__icontains=term)
        )
    if filters.sort == "participants":
        return _by_participants_shown(user, activities)
    return activities.order_by(*ACTIVITY_SORTS.get(filters.sort, ACTIVITY_SORTS["-start"]))


def _by_participants_shown(user: Any, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Most local participants first, counting only those ``user`` sees exactly.

    Local participants of both sources: typed by officers and counted from
    registrations checked in (as the list shows them).

    Activities whose breakdown ``user`` may not see come last, by reference:
    their place among the others would narrow down a count hidden from them
    (UU PDP 27/2022, ``kembar.programs.disclosure``).
    """
    exact = breakdown_partnerships(
        user,
        Partnership.objects.filter(pk__in=activities.values("partnership_id")).select_related(
            "local_region"
        ),
    )
    shown: Any = Value(None, output_field=IntegerField())
    if exact:
        shown = Case(
            When(
                partnership_id__in=exact,
                then=F("participants_local") + F("participants_registered"),
            ),
            default=shown,
            output_field=IntegerField(),
        )
    return activities.annotate(shown_local=shown).order_by(
        F("shown_local").desc(nulls_last=True), "reference"
    )


def activity_with_children(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Prefetch everything recorded under each activity (participants, money, results)."""
    return activities.prefetch_related(
        Prefetch(
            "participant_counts",
            ParticipantCount.objects.select_related("home_region").order_by(
                "source", "side", "group", "gender", "age_band", "home_region_id"
            ),
        ),
        "budget_lines",
        "contributions",
        Prefetch(
            "results",
            Result.objects.prefetch_related(
                Prefetch(
                    "indicators",
                    Indicator.objects.select_related("standard").prefetch_related(
                        Prefetch(
                            "periods",
                            IndicatorPeriod.objects.prefetch_related("disaggregations"),
                        )
                    ),
                )
            ),
        ),
    )


def activity_detail_get(
    *, user: Any, reference: str, include_public: bool = True
) -> Activity | None:
    """One visible activity with everything recorded under it, prefetched."""
    activities = activity_list(user=user, include_public=include_public)
    return activity_with_children(activities).filter(reference=reference).first()


def agencies_for(user: Any, region_id: str) -> QuerySet[Organisation]:
    """The bodies ``user`` may report for in ``region_id``: their own, or all of the region's."""
    bodies = Organisation.objects.filter(
        Q(region_id=region_id) | Q(parent__region_id=region_id),
        kind__in=[OrganisationKind.LOCAL_GOVERNMENT, OrganisationKind.AGENCY],
    )
    if has_role(user, Role.AGENCY_OFFICER):
        bodies = bodies.filter(pk=user.organisation_id)
    return bodies.order_by("name")
