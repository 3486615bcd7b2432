"""The shipped starting record of Semarang's partnerships, loaded on the least geography it needs.

Faster than the full reference load (``reference_db``), and still the real files:
the partnerships, events and agreements of ``kembar/data/semarang`` and the
default lifecycle, through the same services as ``load_reference``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from kembar.geo.models import City
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.services import (
    lifecycle_seed_apply,
    partnership_agreements_apply,
    partnership_seed_apply,
)
from kembar.partnerships.sources import PartnershipSeed, partnership_seed_read


class _Anything:
    """A container that holds every code: the geography is built from the seed instead."""

    def __contains__(self, item: object) -> bool:
        return True


def semarang_record_load() -> PartnershipSeed:
    """Load the shipped partnerships, events, agreements and lifecycle; return the seed read."""
    definition = lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE)
    seed = partnership_seed_read(
        settings.KEMBAR_DATA_DIR,
        regions=_Anything(),
        countries=_Anything(),
        geonameids=_Anything(),
        document_kinds={
            row["code"]: bool(row["has_validity"]) for row in definition.document_kinds
        },
    )
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    for row in seed.partnerships:
        country = CountryFactory.create(iso2=row.partner_country)
        geonameid = row.partner_geonameid
        if geonameid is not None and not City.objects.filter(id=geonameid).exists():
            CityFactory.create(id=geonameid, name=row.partner_name, country=country)
    with transaction.atomic():
        partnership_seed_apply(seed)
        lifecycle_seed_apply(definition)
        partnership_agreements_apply(seed)
    return seed
