"""Reads of partnerships, joined and prefetched for their callers (no N+1)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kembar.partnerships.models import Partnership, PartnershipEvent

__all__ = ["partnership_get", "partnership_list"]


def partnership_list(*, local_region: str | None = None) -> QuerySet[Partnership]:
    partnerships = Partnership.objects.select_related(
        "local_region", "partner_city__country", "partner_country"
    ).prefetch_related("focus_areas")
    if local_region:
        partnerships = partnerships.filter(local_region_id=local_region)
    return partnerships.order_by("local_region_id", "partner_name", "id")


def partnership_get(slug: str) -> Partnership | None:
    return (
        partnership_list()
        .prefetch_related(Prefetch("events", PartnershipEvent.objects.order_by("date", "id")))
        .filter(slug=slug)
        .first()
    )
