"""What the public pages show, shaped for templates (no logic in templates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kembar.geo.models import Region
from kembar.partnerships.models import Partnership
from kembar.partnerships.selectors import partnership_list

__all__ = ["HomePage", "home_page"]


@dataclass(frozen=True, slots=True)
class HomePage:
    region: Region | None
    partnerships: list[Partnership]
    map_data: dict[str, Any]


def home_page(*, region_kode: str) -> HomePage:
    """The home region's partnerships and the points and lines of its map."""
    region = Region.objects.filter(kode=region_kode).first()
    partnerships = list(
        partnership_list(local_region=region_kode).filter(is_public=True).prefetch_related("events")
    )
    partners = []
    for partnership in partnerships:
        city = partnership.partner_city
        if city is None:
            continue
        partners.append(
            {
                "slug": partnership.slug,
                "name": partnership.partner_name,
                "country": partnership.partner_country.name,
                "status": partnership.documented_status,
                "status_label": str(partnership.get_documented_status_display()),
                "lat": city.latitude,
                "lng": city.longitude,
            }
        )
    home = None
    if region is not None and region.latitude is not None:
        home = {"name": region.name, "lat": region.latitude, "lng": region.longitude}
    return HomePage(
        region=region, partnerships=partnerships, map_data={"home": home, "partners": partners}
    )
