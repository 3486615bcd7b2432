from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.geo.api.serializers import CitySerializer
from kembar.geo.models import Region
from kembar.partnerships.models import FocusArea, Partnership, PartnershipEvent


class FocusAreaSerializer(serializers.ModelSerializer[FocusArea]):
    class Meta:
        model = FocusArea
        fields = ["slug", "name_id", "name_en"]


class PartnershipEventSerializer(serializers.ModelSerializer[PartnershipEvent]):
    class Meta:
        model = PartnershipEvent
        fields = ["date", "date_precision", "kind", "detail", "source"]


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    local_region = serializers.CharField(source="local_region_id")
    local_region_name = serializers.CharField(source="local_region.name")
    partner_city = CitySerializer(allow_null=True)
    partner_country = serializers.CharField(source="partner_country_id")
    focus_areas = FocusAreaSerializer(many=True)

    class Meta:
        model = Partnership
        fields = [
            "slug",
            "local_region",
            "local_region_name",
            "partner_name",
            "partner_region_name",
            "partner_country",
            "partner_city",
            "relationship_type",
            "documented_status",
            "confidence",
            "focus_areas",
            "sources",
        ]


class PartnershipDetailSerializer(PartnershipSerializer):
    events = PartnershipEventSerializer(many=True)

    class Meta(PartnershipSerializer.Meta):
        fields = [*PartnershipSerializer.Meta.fields, "events"]


class PartnershipQuerySerializer(serializers.Serializer[None]):
    local_region = serializers.RegexField(
        r"^\d{2}(\.\d{2})?$",
        required=False,
        error_messages={"invalid": _("Use a Kemendagri code such as 33.74.")},
    )

    def validate_local_region(self, value: str) -> str:
        if not Region.objects.filter(kode=value).exists():
            raise serializers.ValidationError(
                _("No region has the code %(code)s.") % {"code": value}
            )
        return value
