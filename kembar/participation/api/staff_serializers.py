"""What the staff API of calls shows: registrations with personal data, for the call's officers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kembar.common.api import NamedChoiceField, SlugRelatedField
from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityStatus,
    Registration,
    RegistrationStatus,
)
from kembar.participation.staff_registrations import MAX_BATCH
from kembar.programs.models import StakeholderGroup


class StatusCountsSerializer(serializers.Serializer[Any]):
    pending = serializers.IntegerField()
    applied = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    waiting = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    attended = serializers.IntegerField()


class StaffOpportunitySerializer(serializers.ModelSerializer[Opportunity]):
    """A call the caller manages (drafts included), with its registrations per status."""

    status = NamedChoiceField(choices=OpportunityStatus.choices, enum_name="OpportunityStatusEnum")
    allocation = NamedChoiceField(choices=Allocation.choices, enum_name="AllocationEnum")
    activity: SlugRelatedField[Any] = SlugRelatedField(
        slug_field="reference", read_only=True, help_text="reference of the activity"
    )
    registrations = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "title_id",
            "title_en",
            "activity",
            "status",
            "allocation",
            "places",
            "deadline",
            "registrations",
        ]
        read_only_fields = fields

    @extend_schema_field(StatusCountsSerializer)
    def get_registrations(self, opportunity: Opportunity) -> dict[str, int]:
        counts: dict[int, dict[str, int]] = self.context["counts"]
        return counts[opportunity.pk]


class RegistrationQuerySerializer(serializers.Serializer[None]):
    status = NamedChoiceField(
        choices=RegistrationStatus.choices, enum_name="RegistrationStatusEnum", required=False
    )
    search = serializers.CharField(
        required=False, max_length=120, help_text="registration number, or part of the name"
    )


class StaffRegistrationSerializer(serializers.ModelSerializer[Registration]):
    """One registration, with the person's name (personal data: every answer is logged)."""

    status = NamedChoiceField(
        choices=RegistrationStatus.choices, enum_name="RegistrationStatusEnum"
    )
    group = NamedChoiceField(choices=StakeholderGroup.choices, enum_name="StakeholderGroupEnum")
    home_kecamatan = serializers.CharField(
        source="home_kecamatan_id",
        allow_null=True,
        help_text="kode of the home kecamatan (null: outside the city)",
    )
    waiting_position = serializers.SerializerMethodField(
        help_text="place on the waiting list, 1 = next (null when not waiting)"
    )
    scores = serializers.DictField(
        child=serializers.FloatField(), help_text="panel scores by criterion name"
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "number",
            "name",
            "home_kecamatan",
            "group",
            "status",
            "place",
            "rank",
            "waiting_position",
            "scores",
            "checked_in_at",
        ]
        read_only_fields = fields

    def get_waiting_position(self, registration: Registration) -> int | None:
        positions: dict[int, int] = self.context.get("positions", {})
        return positions.get(registration.pk)


class SelectionResultSerializer(serializers.Serializer[Any]):
    confirmed = serializers.ListField(
        child=serializers.CharField(), help_text="registration numbers given a place, in order"
    )
    waiting = serializers.ListField(
        child=serializers.CharField(),
        help_text="registration numbers on the waiting list, in order",
    )


class CheckInItemSerializer(serializers.Serializer[Any]):
    # Not trimmed: a code of spaces only is answered "refused" like any unknown code.
    code = serializers.CharField(
        min_length=1,
        max_length=40,
        trim_whitespace=False,
        help_text="the check-in code (the QR code's text)",
    )
    at = serializers.DateTimeField(
        required=False,
        help_text="when the officer checked the person in (offline); default: now",
    )


class CheckInBatchSerializer(serializers.Serializer[Any]):
    check_ins = serializers.ListField(
        child=CheckInItemSerializer(), min_length=1, max_length=MAX_BATCH
    )


class CheckInOutcomeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    status = NamedChoiceField(
        choices=[
            ("checked_in", "checked in now"),
            ("already", "already checked in"),
            ("refused", "refused"),
        ],
        enum_name="CheckInOutcomeEnum",
    )
    number = serializers.CharField(allow_null=True, help_text="registration number (null: refused)")
    name = serializers.CharField(allow_null=True, help_text="the person's name (null: refused)")
    registration = serializers.IntegerField(
        allow_null=True, help_text="id of the registration, to undo the check-in"
    )
    refusal = serializers.CharField(
        help_text="why it was refused: unknown, not_confirmed or state (empty otherwise)"
    )
    message = serializers.CharField()


class CheckInBatchResultSerializer(serializers.Serializer[Any]):
    results = CheckInOutcomeSerializer(many=True, help_text="one per check-in, in the same order")
    attended = serializers.IntegerField(help_text="people of the call checked in now")


class CheckInUndoResultSerializer(serializers.Serializer[Any]):
    registration = StaffRegistrationSerializer()
    attended = serializers.IntegerField(help_text="people of the call checked in now")
