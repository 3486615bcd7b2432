from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.geo.models import City, Country, Region, RegionLevel


class CountrySerializer(serializers.ModelSerializer[Country]):
    class Meta:
        model = Country
        fields = ["iso2", "iso3", "name_en", "name_id"]


class RegionSerializer(serializers.ModelSerializer[Region]):
    parent = serializers.CharField(source="parent_id", allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Region
        fields = [
            "kode",
            "name",
            "level",
            "kind",
            "parent",
            "population",
            "population_male",
            "population_female",
            "population_year",
            "area_km2",
        ]


class RegionDetailSerializer(RegionSerializer):
    parent_name = serializers.CharField(source="parent.name", allow_null=True, default=None)
    children_count = serializers.IntegerField()

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "parent_name", "children_count"]


class RegionQuerySerializer(serializers.Serializer[None]):
    parent = serializers.RegexField(  # type: ignore[assignment]
        r"^\d{2}(\.\d{2}){0,2}$",
        required=False,
        error_messages={"invalid": _("Use a Kemendagri code such as 33 or 33.74.")},
    )
    level = serializers.ChoiceField(choices=RegionLevel.choices, required=False)
    q = serializers.CharField(required=False, min_length=2, max_length=100)


class CitySerializer(serializers.ModelSerializer[City]):
    country = serializers.CharField(source="country_id")
    country_name = serializers.CharField(source="country.name")

    class Meta:
        model = City
        fields = [
            "id",
            "geonameid",
            "origin",
            "name",
            "country",
            "country_name",
            "admin1",
            "latitude",
            "longitude",
            "population",
        ]


class CityDetailSerializer(CitySerializer):
    alternate_names = serializers.SerializerMethodField()

    class Meta(CitySerializer.Meta):
        fields = [*CitySerializer.Meta.fields, "timezone", "alternate_names"]

    def get_alternate_names(self, city: City) -> list[str]:
        return [name for name in city.alternate_names.split("|") if name]


class CityQuerySerializer(serializers.Serializer[None]):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": _("Use a two-letter ISO 3166 country code such as ID.")},
    )
    q = serializers.CharField(required=False, min_length=2, max_length=100)

    def validate_country(self, value: str) -> str:
        code = value.upper()
        if not Country.objects.filter(iso2=code).exists():
            raise serializers.ValidationError(
                _("No country has the code %(code)s.") % {"code": code}
            )
        return code


class NetworkSummarySerializer(serializers.Serializer[dict[str, Any]]):
    cities = serializers.IntegerField(help_text="cities with at least one twin-town link")
    links = serializers.IntegerField(help_text="links, one per unordered pair")
    unresolved_rows = serializers.IntegerField(help_text="source rows kept for review")
    geonames_match_rate = serializers.FloatField(
        allow_null=True, help_text="share of city ends matched to a GeoNames city within 50 km"
    )
