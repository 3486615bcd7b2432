"""Reads of the geographic reference, already joined for their callers."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from kembar.geo.models import City, ReferenceLoad, Region, TwinLink, TwinReviewRow
from kembar.geo.resolver import normalise_name

__all__ = [
    "city_get",
    "city_list",
    "city_twins",
    "network_summary",
    "region_get",
    "region_list",
]


def region_list(
    *, parent: str | None = None, level: str | None = None, q: str | None = None
) -> QuerySet[Region]:
    regions = Region.objects.all()
    if parent:
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    if q:
        regions = regions.filter(Q(name__icontains=q) | Q(kode__startswith=q))
    return regions.order_by("kode")


def region_get(kode: str) -> Region | None:
    return (
        Region.objects.select_related("parent")
        .annotate(children_count=Count("children"))
        .filter(kode=kode)
        .first()
    )


def city_list(*, country: str | None = None, q: str | None = None) -> QuerySet[City]:
    """Cities, most populous first; ``q`` matches any of their names, accents ignored."""
    cities = City.objects.select_related("country")
    if country:
        cities = cities.filter(country_id=country)
    if q:
        needle = normalise_name(q)
        if needle:
            cities = cities.filter(search_text__contains=needle)
    return cities.order_by("-population", "name", "id")


def city_get(city_id: int) -> City | None:
    return City.objects.select_related("country").filter(id=city_id).first()


def city_twins(city: City) -> QuerySet[City]:
    """The cities linked to ``city`` in the twin-town network."""
    partner_ids = set(TwinLink.objects.filter(city_a=city).values_list("city_b_id", flat=True))
    partner_ids |= set(TwinLink.objects.filter(city_b=city).values_list("city_a_id", flat=True))
    return (
        City.objects.select_related("country")
        .filter(id__in=partner_ids)
        .order_by("country_id", "name", "id")
    )


def network_summary() -> dict[str, Any]:
    """Size of the twin-town network and how well its towns matched GeoNames."""
    links = TwinLink.objects.count()
    in_network = TwinLink.objects.values("city_a_id").union(TwinLink.objects.values("city_b_id"))
    last = ReferenceLoad.objects.filter(dataset="reference").first()
    network = (last.stats or {}).get("network", {}) if last else {}
    return {
        "cities": in_network.count(),
        "links": links,
        "unresolved_rows": TwinReviewRow.objects.count(),
        "geonames_match_rate": network.get("geonames_match_rate"),
    }
