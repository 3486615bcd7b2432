"""Reads of opportunities, joined and prefetched (one query per relation, whatever the length)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from kembar.participation.models import Opportunity
from kembar.participation.models.opportunities import PUBLIC_STATUSES
from kembar.participation.rules import manageable_q
from kembar.partnerships.access import listed_partnerships_through, staff_partnerships_through

__all__ = [
    "OPPORTUNITY_SORTS",
    "OpportunityFilters",
    "public_opportunities",
    "staff_opportunities",
]

OPPORTUNITY_SORTS = {
    "-created": ("-created_at", "-pk"),
    "deadline": ("deadline", "pk"),
    "-deadline": ("-deadline", "-pk"),
    "title": ("title_id", "pk"),
}


@dataclass(frozen=True)
class OpportunityFilters:
    status: str = ""
    kind: str = ""
    kecamatan: str = ""
    search: str = ""
    sort: str = "-created"


def _with_relations(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    return opportunities.select_related(
        "activity__partnership__local_region", "activity__agency"
    ).prefetch_related("eligible_kecamatan", "reservations__kecamatan")


def _filtered(
    opportunities: QuerySet[Opportunity], filters: OpportunityFilters
) -> QuerySet[Opportunity]:
    if filters.status:
        opportunities = opportunities.filter(status=filters.status)
    if filters.kind:
        opportunities = opportunities.filter(kind=filters.kind)
    if filters.kecamatan:
        # Calls a resident of the kecamatan may apply for: those naming it, or no kecamatan.
        opportunities = (
            opportunities.annotate(kecamatan_named=Count("eligible_kecamatan"))
            .filter(Q(eligible_kecamatan__kode=filters.kecamatan) | Q(kecamatan_named=0))
            .distinct()
        )
    if filters.search:
        term = filters.search.strip()
        opportunities = opportunities.filter(
            Q(title_id__icontains=term)
            | Q(title_en__icontains=term)
            | Q(activity__reference__icontains=term)
        )
    return opportunities.order_by(
        *OPPORTUNITY_SORTS.get(filters.sort, OPPORTUNITY_SORTS["-created"])
    )


def public_opportunities(
    *, user: Any, filters: OpportunityFilters | None = None
) -> QuerySet[Opportunity]:
    """Published calls (never drafts) under the partnerships ``user`` (or the public) may see."""
    opportunities = Opportunity.objects.filter(
        listed_partnerships_through(user, "activity__partnership"),
        status__in=PUBLIC_STATUSES,
    )
    return _with_relations(_filtered(opportunities, filters or OpportunityFilters()))


def staff_opportunities(
    *, user: Any, filters: OpportunityFilters | None = None
) -> QuerySet[Opportunity]:
    """Calls under the partnerships of ``user``'s staff pages; drafts only those they manage."""
    opportunities = Opportunity.objects.filter(
        staff_partnerships_through(user, "activity__partnership")
    ).filter(Q(status__in=PUBLIC_STATUSES) | manageable_q(user))
    return _with_relations(_filtered(opportunities, filters or OpportunityFilters()))
