from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.common.api import SlugRelatedField
from kembar.common.versioning import RequiredInPatch
from kembar.geo.api.serializers import CitySerializer
from kembar.geo.models import Region
from kembar.partnerships.models import (
    FocusArea,
    InboundRequest,
    Initiator,
    LifecycleState,
    LifecycleTransition,
    Partnership,
    PartnershipDocument,
    PartnershipEvent,
    RelationshipType,
    TransitionRecord,
)


class FocusAreaSerializer(serializers.ModelSerializer[FocusArea]):
    class Meta:
        model = FocusArea
        fields = ["slug", "name_id", "name_en"]


class PartnershipEventSerializer(serializers.ModelSerializer[PartnershipEvent]):
    detail = serializers.CharField(
        read_only=True, help_text="the detail in the request's language (the other if missing)"
    )

    class Meta:
        model = PartnershipEvent
        fields = ["date", "date_precision", "kind", "detail", "detail_id", "detail_en", "source"]


class StateSerializer(serializers.ModelSerializer[LifecycleState]):
    class Meta:
        model = LifecycleState
        fields = ["code", "name_id", "name_en", "order", "is_terminal", "legal_basis"]


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    local_region = serializers.CharField(source="local_region_id")
    local_region_name = serializers.CharField(source="local_region.name")
    partner_city = CitySerializer(allow_null=True)
    partner_country = serializers.CharField(source="partner_country_id")
    focus_areas = FocusAreaSerializer(many=True)
    state = StateSerializer(allow_null=True)
    # A plain string, not an enum: the schema already has an "origin" enum (cities').
    origin = serializers.CharField(
        read_only=True,
        help_text="Where the record comes from: region (the region's own) or world_twin_list.",
    )
    unverified = serializers.BooleanField(
        source="is_unverified",
        read_only=True,
        help_text="From the world twin-town list and not yet confirmed by the region.",
    )

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
            "state",
            "confidence",
            "focus_areas",
            "sources",
            "is_public",
            "origin",
            "unverified",
            "version",
        ]


class PartnershipDetailSerializer(PartnershipSerializer):
    events = PartnershipEventSerializer(many=True)

    class Meta(PartnershipSerializer.Meta):
        fields = [
            *PartnershipSerializer.Meta.fields,
            "initiated_by",
            "consultation_recorded_on",
            "events",
        ]


class PartnershipUpdateSerializer(RequiredInPatch, serializers.Serializer[dict[str, Any]]):
    """A change to a partnership; ``version`` is the one the client last read."""

    version = serializers.IntegerField(min_value=1)
    partner_name = serializers.CharField(max_length=200, required=False)
    partner_region_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship_type = serializers.ChoiceField(choices=RelationshipType.choices, required=False)
    initiated_by = serializers.ChoiceField(
        choices=Initiator.choices, required=False, allow_blank=True
    )
    consultation_recorded_on = serializers.DateField(required=False, allow_null=True)
    is_public = serializers.BooleanField(required=False)
    sources = serializers.CharField(required=False, allow_blank=True)
    focus_areas = SlugRelatedField(
        slug_field="slug", queryset=FocusArea.objects.all(), many=True, required=False
    )


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


class TransitionRequestSerializer(serializers.Serializer[dict[str, Any]]):
    to = serializers.SlugField(max_length=40, help_text="code of the target stage")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionRecordSerializer(serializers.ModelSerializer[TransitionRecord]):
    source = serializers.CharField(source="source.code", read_only=True, allow_null=True)  # type: ignore[assignment]
    target = serializers.CharField(source="target.code", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    approver = serializers.CharField(source="approver.username", read_only=True, allow_null=True)

    class Meta:
        model = TransitionRecord
        fields = [
            "id",
            "source",
            "target",
            "status",
            "reason",
            "actor",
            "created_at",
            "approver",
            "decided_at",
            "decision_note",
            "deadline",
        ]


class LifecycleTransitionSerializer(serializers.ModelSerializer[LifecycleTransition]):
    source = serializers.CharField(source="source.code", read_only=True)  # type: ignore[assignment]
    target = serializers.CharField(source="target.code", read_only=True)
    required_documents = serializers.SerializerMethodField()

    def get_required_documents(self, transition: LifecycleTransition) -> list[str]:
        return [kind.code for kind in transition.required_documents.all()]

    class Meta:
        model = LifecycleTransition
        fields = [
            "source",
            "target",
            "roles",
            "approver_roles",
            "required_documents",
            "checks",
            "requires_reason",
            "deadline_working_days",
            "legal_basis",
        ]


class RefusalSerializer(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField()
    # Only a refused lifecycle move lists its reasons; a 403 for a missing sign-in
    # or a 400 for a bad body answers with the same status and no reasons.
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


class LifecycleSerializer(serializers.Serializer[dict[str, Any]]):
    """The lifecycle in force, as ``GET /api/v1/lifecycle/`` answers it."""

    states = StateSerializer(many=True)
    transitions = LifecycleTransitionSerializer(many=True)


class InboundRequestSerializer(serializers.ModelSerializer[InboundRequest]):
    partnership = serializers.CharField(source="partnership.slug", read_only=True, allow_null=True)
    person_in_charge = serializers.CharField(
        source="person_in_charge.username", read_only=True, allow_null=True
    )

    class Meta:
        model = InboundRequest
        fields = [
            "id",
            "local_region",
            "partner_city",
            "partner_name",
            "partner_country",
            "received_on",
            "channel",
            "subject",
            "description",
            "status",
            "person_in_charge",
            "decided_on",
            "decline_reason",
            "partnership",
        ]
        read_only_fields = [
            "status",
            "person_in_charge",
            "decided_on",
            "decline_reason",
            "partnership",
        ]


class DeclineSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer[PartnershipDocument]):
    kind = serializers.CharField(source="kind.code", read_only=True)
    # None for an agreement recorded from public sources (no file, nobody uploaded it).
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )
    supersedes = serializers.IntegerField(source="supersedes_id", read_only=True, allow_null=True)

    class Meta:
        model = PartnershipDocument
        fields = [
            "id",
            "kind",
            "title",
            "language",
            "version",
            "supersedes",
            "signed_on",
            "signed_on_precision",
            "valid_from",
            "valid_until",
            "valid_until_precision",
            "source",
            "sha256",
            "size_bytes",
            "uploaded_by",
            "uploaded_at",
        ]


class DocumentUploadSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=200)
    language = serializers.CharField(max_length=16)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    file = serializers.FileField(help_text="a PDF")
