from __future__ import annotations

import datetime as dt

import factory

from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.models import FocusArea, Partnership, PartnershipEvent


class FocusAreaFactory(factory.django.DjangoModelFactory[FocusArea]):
    class Meta:
        model = FocusArea
        django_get_or_create = ("slug",)

    slug = "education"
    name_id = "Pendidikan"
    name_en = "Education"


class PartnershipFactory(factory.django.DjangoModelFactory[Partnership]):
    class Meta:
        model = Partnership

    slug = factory.Sequence(lambda n: f"smg-partner-{n}")
    local_region = factory.LazyFunction(
        lambda: RegionFactory.create(kode="33.74", name="Kota Semarang")
    )
    partner_country = factory.SubFactory(CountryFactory, iso2="AU")
    partner_city = factory.SubFactory(
        CityFactory, country=factory.SelfAttribute("..partner_country")
    )
    partner_name = factory.SelfAttribute("partner_city.name")
    relationship_type = "sister_city"
    documented_status = "active"
    confidence = "documented"
    is_public = True


class PartnershipEventFactory(factory.django.DjangoModelFactory[PartnershipEvent]):
    class Meta:
        model = PartnershipEvent

    partnership = factory.SubFactory(PartnershipFactory)
    date = dt.date(1993, 1, 11)
    date_precision = "day"
    kind = "agreement_signed"
