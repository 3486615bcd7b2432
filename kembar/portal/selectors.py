"""What the public pages show, shaped for templates (no logic in templates)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from kembar.geo.models import Region
from kembar.insights.reach import ReachFilters, reach_figures
from kembar.participation.models import OpportunityStatus
from kembar.partnerships.models import (
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
    TransitionRecord,
)
from kembar.partnerships.selectors import partnership_list
from kembar.portal.record import (
    HistoryEntry,
    PublicStatus,
    agreement_documents,
    history_entries,
    public_status,
)
from kembar.programs.models import Activity, IndicatorPeriod

__all__ = [
    "SMALL_COUNT",
    "HomePage",
    "IndicatorTotal",
    "PartnershipPage",
    "PublicPartnership",
    "home_page",
    "partnership_page",
    "public_partnerships",
]

#: A count of people below this is not shown in public (UU PDP 27/2022).
SMALL_COUNT = 5
#: Open calls and recent activities on the home page.
HOME_OPPORTUNITIES = 6
HOME_ACTIVITIES = 6
#: Units of the standard indicators that count people.
_PEOPLE_UNITS = {"people", "orang"}


@dataclass(frozen=True, slots=True)
class PublicPartnership:
    """A public partnership with its stage by name and its history as the record shows it."""

    partnership: Partnership
    status: PublicStatus
    history: list[HistoryEntry]
    activity_count: int
    demo_activity_count: int
    latest_activity: dt.date | None


@dataclass(frozen=True, slots=True)
class HomePage:
    region: Region | None
    partnerships: list[PublicPartnership]
    map_data: dict[str, Any]
    #: Calls open for registration, the nearest deadline first.
    opportunities: list[Any] = field(default_factory=list)
    #: The latest activities that have started.
    recent_activities: list[Activity] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IndicatorTotal:
    """A standard indicator summed over a partnership's activities; ``None`` when too small."""

    name: str
    unit: str
    total: Decimal | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class PartnershipPage:
    item: PublicPartnership
    agreements: list[PartnershipDocument]
    activities: list[Activity]
    results: list[tuple[str, str, str]] = field(default_factory=list)
    indicators: list[IndicatorTotal] = field(default_factory=list)
    #: Local participants as the public reach figures give them; ``None`` when withheld.
    participants: int | None = None


def public_partnerships(*, region_kode: str) -> QuerySet[Partnership]:
    """The region's public partnerships, with what their status and history need."""
    return (
        partnership_list(local_region=region_kode)
        .filter(is_public=True)
        .select_related("state")
        .prefetch_related(
            Prefetch("events", PartnershipEvent.objects.order_by("date", "id")),
            Prefetch(
                "transitions",
                TransitionRecord.objects.filter(
                    status=TransitionRecord.Status.APPLIED
                ).select_related("source", "target"),
            ),
        )
        .annotate(
            activity_count=Count("activities", filter=Q(activities__is_demo=False), distinct=True),
            demo_activity_count=Count(
                "activities", filter=Q(activities__is_demo=True), distinct=True
            ),
            latest_activity=Max("activities__start_date", filter=Q(activities__is_demo=False)),
        )
    )


def _public(partnership: Any) -> PublicPartnership:
    return PublicPartnership(
        partnership=partnership,
        status=public_status(partnership),
        history=history_entries(
            events=partnership.events.all(), moves=partnership.transitions.all()
        ),
        activity_count=partnership.activity_count,
        demo_activity_count=partnership.demo_activity_count,
        latest_activity=partnership.latest_activity,
    )


def home_page(*, region_kode: str) -> HomePage:
    """The home region's public partnerships and the points and lines of its map."""
    region = Region.objects.filter(kode=region_kode).first()
    items = [_public(partnership) for partnership in public_partnerships(region_kode=region_kode)]
    partners = []
    for item in items:
        partnership = item.partnership
        city = partnership.partner_city
        if city is None:
            continue
        partners.append(
            {
                "slug": partnership.slug,
                "name": partnership.partner_name,
                "country": partnership.partner_country.name,
                "status": item.status.tone,
                "status_label": item.status.label,
                "lat": city.latitude,
                "lng": city.longitude,
            }
        )
    home = None
    if region is not None and region.latitude is not None:
        home = {"name": region.name, "lat": region.latitude, "lng": region.longitude}
    # Here, not at the top: participation sits above the portal's selectors in the imports.
    from kembar.participation.selectors import public_opportunities
    from kembar.portal.activities import public_activities

    now = timezone.now()
    opportunities = list(
        public_opportunities(user=AnonymousUser())
        .filter(
            activity__partnership__local_region_id=region_kode,
            status=OpportunityStatus.PUBLISHED,
            deadline__gt=now,
        )
        .order_by("deadline", "pk")[:HOME_OPPORTUNITIES]
    )
    recent = list(
        public_activities(region_kode=region_kode)
        .filter(start_date__lte=timezone.localdate())
        .select_related("partnership")
        .order_by("-start_date", "reference")[:HOME_ACTIVITIES]
    )
    return HomePage(
        region=region,
        partnerships=items,
        map_data={"home": home, "partners": partners},
        opportunities=opportunities,
        recent_activities=recent,
    )


def _indicator_totals(activities: list[Activity]) -> list[IndicatorTotal]:
    """Standard indicators summed over the activities; counts of people of 1–4 are withheld."""
    periods = (
        IndicatorPeriod.objects.filter(
            indicator__result__activity__in=activities,
            indicator__standard__isnull=False,
            actual__isnull=False,
        )
        .select_related("indicator__standard")
        .order_by("indicator__standard_id")
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    standards = {}
    for period in periods:
        standard = period.indicator.standard
        assert standard is not None  # noqa: S101 - filtered above
        standards[standard.code] = standard
        totals[standard.code] += period.actual or Decimal(0)
    rows = []
    for code, total in totals.items():
        standard = standards[code]
        small = standard.unit_en in _PEOPLE_UNITS and 0 < total < SMALL_COUNT
        rows.append(
            IndicatorTotal(
                name=standard.name,
                unit=standard.unit,
                total=None if small else total.normalize(),
                suppressed=small,
            )
        )
    return rows


def partnership_page(*, region_kode: str, slug: str) -> PartnershipPage | None:
    """One public partnership of the region as the public sees it, or ``None``."""
    partnership = public_partnerships(region_kode=region_kode).filter(slug=slug).first()
    if partnership is None:
        return None
    activities = list(
        partnership.activities.select_related("sector")
        .prefetch_related("results")
        .order_by("-start_date", "reference")
    )
    results = [
        (activity.title, str(result.get_level_display()), result.title)
        for activity in activities
        for result in activity.results.all()
    ]
    # The same protected total as the public reach page for this partnership, so
    # this page discloses nothing that page does not.
    reach = reach_figures(
        filters=ReachFilters(region=region_kode, partnership=slug, demo=False), public=True
    ).as_dict()
    return PartnershipPage(
        item=_public(partnership),
        agreements=agreement_documents(partnership),
        activities=activities,
        results=results,
        indicators=_indicator_totals(activities),
        participants=reach["total"],
    )
