"""Serializers of the insights API: query parameters and documented answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.common.api import NamedChoiceField
from kembar.geo.models import Region
from kembar.partnerships.models import Partnership
from kembar.programs.models import ActivityKind, Sector


class ReachQuerySerializer(serializers.Serializer[Any]):
    """The reach filters, as the dashboard's form and the API take them."""

    region = serializers.CharField(
        required=False,
        default=settings.KEMBAR_HOME_REGION,
        help_text=_("Kemendagri code of the kabupaten or kota, e.g. 33.74."),
    )
    partnership = serializers.SlugField(required=False, help_text=_("Partnership code (slug)."))
    sector = serializers.IntegerField(required=False, help_text=_("IO sector code, 1–17."))
    kind = NamedChoiceField(ActivityKind.choices, enum_name="ActivityKindEnum", required=False)
    year_from = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=1950, max_value=2100)
    demo = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: demonstration records only; false: real records only."),
    )

    def validate_region(self, value: str) -> str:
        if not Region.objects.filter(kode=value).exists():
            raise serializers.ValidationError(_("No region has this code."))
        return value

    def validate_partnership(self, value: str) -> str:
        if not Partnership.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("No partnership has this code."))
        return value

    def validate_sector(self, value: int) -> int:
        if not Sector.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("No sector has this code."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("year_from"), attrs.get("year_to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"year_to": [_("The period ends before it starts.")]})
        return attrs


class ReachUnitSerializer(serializers.Serializer[Any]):
    kode = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    population = serializers.FloatField()
    per_10k = serializers.FloatField(allow_null=True)
    participant_share = serializers.FloatField(allow_null=True)
    population_share = serializers.FloatField(allow_null=True)
    representation_ratio = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(required=False)


UNIT_KINDS = {"district": "district", "group": "group"}


class NeverReachedSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(UNIT_KINDS, enum_name="ReachUnitKindEnum")
    kode = serializers.CharField()
    name = serializers.CharField()
    population = serializers.FloatField()


class CoverageSerializer(serializers.Serializer[Any]):
    districts = serializers.FloatField(allow_null=True)
    groups = serializers.FloatField(allow_null=True)


class GenderSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    population_share = serializers.FloatField(allow_null=True)
    representation_ratio = serializers.FloatField(allow_null=True)


class YearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    participants = serializers.IntegerField(allow_null=True)


class SuggestedKindSerializer(serializers.Serializer[Any]):
    activity_kind = serializers.CharField()
    name = serializers.CharField()
    participants = serializers.FloatField()


class WhereToActSerializer(serializers.Serializer[Any]):
    kind = NamedChoiceField(UNIT_KINDS, enum_name="ReachUnitKindEnum")
    kode = serializers.CharField()
    name = serializers.CharField()
    representation_ratio = serializers.FloatField()
    missing_participants = serializers.FloatField()
    suggested_kinds = SuggestedKindSerializer(many=True)


class ReachSerializer(serializers.Serializer[Any]):
    """``/api/v1/insights/reach/``: the contract keys first, then the rest of the dashboard."""

    districts = ReachUnitSerializer(many=True)
    groups = ReachUnitSerializer(many=True)
    gini = serializers.FloatField(allow_null=True)
    theil = serializers.FloatField(allow_null=True)
    coverage = CoverageSerializer()
    never_reached = NeverReachedSerializer(many=True)
    outside_city = serializers.IntegerField(allow_null=True)
    gender = GenderSerializer(many=True)
    years = YearSerializer(many=True)
    where_to_act = WhereToActSerializer(many=True)
    region = serializers.DictField()
    population_year = serializers.IntegerField(allow_null=True)
    filters = serializers.DictField()
    includes_demo = serializers.BooleanField()
    public = serializers.BooleanField()
