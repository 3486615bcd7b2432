"""What the opportunities API shows: the terms of a call, never anyone's personal data."""

from __future__ import annotations

import hashlib
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kembar.common.api import NamedChoiceField, SlugRelatedField
from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityKind,
    OpportunityReservation,
    OpportunityStatus,
    ReservationDimension,
)
from kembar.participation.models.opportunities import PUBLIC_STATUSES
from kembar.programs.models import Activity, AgeBand, StakeholderGroup


class OpportunityQuerySerializer(serializers.Serializer[None]):
    status = NamedChoiceField(
        choices=[(status.value, status.label) for status in PUBLIC_STATUSES],
        enum_name="PublicOpportunityStatusEnum",
        required=False,
    )
    kind = NamedChoiceField(
        choices=OpportunityKind.choices, enum_name="OpportunityKindEnum", required=False
    )
    kecamatan = serializers.RegexField(
        r"^\d{2}\.\d{2}\.\d{2}$",
        required=False,
        help_text="kode of a kecamatan: calls its residents may apply for "
        "(those naming it, and those open to every kecamatan)",
    )


class KecamatanSerializer(serializers.Serializer[Any]):
    kode = serializers.CharField()
    name = serializers.CharField()


class EligibilitySerializer(serializers.Serializer[Any]):
    kecamatan = KecamatanSerializer(many=True, help_text="empty: every kecamatan")
    groups = serializers.ListField(
        child=NamedChoiceField(choices=StakeholderGroup.choices, enum_name="StakeholderGroupEnum"),
        help_text="stakeholder groups; empty: every group",
    )
    age_bands = serializers.ListField(
        child=NamedChoiceField(choices=AgeBand.choices, enum_name="AgeBandEnum"),
        help_text="empty: every age",
    )
    others = serializers.CharField(help_text="other conditions, as the call states them")


class CriterionSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    weight = serializers.FloatField()


class ReservationSerializer(serializers.Serializer[OpportunityReservation]):
    dimension = NamedChoiceField(
        choices=ReservationDimension.choices, enum_name="ReservationDimensionEnum"
    )
    kode = serializers.CharField(help_text="the kecamatan's kode or the stakeholder group's code")
    places = serializers.IntegerField(min_value=1)

    def to_representation(self, instance: OpportunityReservation) -> dict[str, Any]:
        return {
            "dimension": instance.dimension,
            "kode": instance.kecamatan_id or instance.group,
            "places": instance.places,
        }


class OpportunitySerializer(serializers.ModelSerializer[Opportunity]):
    """A published call for participation (drafts are never shown here).

    ``reserved_places`` are kept for people of under-reached kecamatan and
    groups.  A lottery's seed is kept secret until the results are published
    (known earlier, it would tell who wins before people apply): until then only
    ``lottery_seed_sha256``, its SHA-256, is shown, a commitment anyone can check
    against the seed published with the results, which lets them repeat the draw.
    """

    kind = NamedChoiceField(choices=OpportunityKind.choices, enum_name="OpportunityKindEnum")
    status = NamedChoiceField(choices=OpportunityStatus.choices, enum_name="OpportunityStatusEnum")
    allocation = NamedChoiceField(choices=Allocation.choices, enum_name="AllocationEnum")
    activity: SlugRelatedField[Activity] = SlugRelatedField(
        slug_field="reference", read_only=True, help_text="reference of the activity"
    )
    partnership = serializers.SerializerMethodField(help_text="slug of the partnership")
    region = serializers.SerializerMethodField(help_text="kode of the local region")
    eligibility = serializers.SerializerMethodField()
    lottery_seed = serializers.SerializerMethodField(
        help_text="the lottery's seed, once its results are published (null before)"
    )
    lottery_seed_sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 (hex) of the UTF-8 seed, published with the call as a commitment"
    )
    panel_criteria = CriterionSerializer(many=True)
    reserved_places = ReservationSerializer(many=True, source="reservations")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "kind",
            "title_id",
            "title_en",
            "description_id",
            "description_en",
            "activity",
            "partnership",
            "region",
            "eligibility",
            "places",
            "deadline",
            "allocation",
            "lottery_seed",
            "lottery_seed_sha256",
            "panel_criteria",
            "reserved_places",
            "status",
            "published_at",
        ]
        read_only_fields = fields

    def get_lottery_seed(self, opportunity: Opportunity) -> str | None:
        if opportunity.status != OpportunityStatus.RESULTS_PUBLISHED:
            return None
        return opportunity.lottery_seed or None

    def get_lottery_seed_sha256(self, opportunity: Opportunity) -> str | None:
        if not opportunity.lottery_seed:
            return None
        return hashlib.sha256(opportunity.lottery_seed.encode()).hexdigest()

    def get_partnership(self, opportunity: Opportunity) -> str:
        return opportunity.activity.partnership.slug

    def get_region(self, opportunity: Opportunity) -> str:
        return opportunity.activity.partnership.local_region_id

    @extend_schema_field(EligibilitySerializer)
    def get_eligibility(self, opportunity: Opportunity) -> dict[str, Any]:
        return {
            "kecamatan": [
                {"kode": region.kode, "name": region.name}
                for region in sorted(opportunity.eligible_kecamatan.all(), key=lambda r: r.kode)
            ],
            "groups": list(opportunity.eligible_groups),
            "age_bands": list(opportunity.eligible_age_bands),
            "others": opportunity.eligibility_other,
        }
