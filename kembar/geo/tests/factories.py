from __future__ import annotations

import factory

from kembar.geo.models import City, CityOrigin, Country, Region, RegionLevel, TwinLink


class CountryFactory(factory.django.DjangoModelFactory[Country]):
    class Meta:
        model = Country
        django_get_or_create = ("iso2",)

    iso2 = "ID"
    iso3 = factory.LazyAttribute(
        lambda country: {"ID": "IDN", "AU": "AUS"}.get(country.iso2, country.iso2 + "X")
    )
    name_en = factory.LazyAttribute(lambda country: country.iso2)
    name_id = factory.LazyAttribute(lambda country: country.iso2)


class CityFactory(factory.django.DjangoModelFactory[City]):
    class Meta:
        model = City

    id = factory.Sequence(lambda n: 9_000_000 + n)
    geonameid = factory.LazyAttribute(lambda city: city.id if city.id > 0 else None)
    origin = factory.LazyAttribute(
        lambda city: CityOrigin.GEONAMES if city.id > 0 else CityOrigin.SOURCE
    )
    name = factory.Sequence(lambda n: f"Town {n}")
    search_text = factory.LazyAttribute(lambda city: city.name.casefold())
    country = factory.SubFactory(CountryFactory)
    latitude = 0.0
    longitude = 0.0
    population = 1000


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("kode",)

    kode = "33"
    name = factory.LazyAttribute(lambda region: f"Region {region.kode}")
    level = factory.LazyAttribute(
        lambda region: [
            RegionLevel.PROVINCE,
            RegionLevel.REGENCY_CITY,
            RegionLevel.DISTRICT,
            RegionLevel.VILLAGE,
        ][region.kode.count(".")]
    )
    parent = factory.LazyAttribute(
        lambda region: (
            RegionFactory.create(kode=region.kode.rsplit(".", 1)[0]) if "." in region.kode else None
        )
    )


def twin_link(a: City, b: City, *, line: int = 2) -> TwinLink:
    first, second = sorted((a, b), key=lambda city: city.id)
    return TwinLink.objects.create(city_a=first, city_b=second, source="test", source_line=line)
