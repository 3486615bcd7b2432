"""Registration API: start a registration (a code goes to the e-mail), confirm it with the code.

Anyone may call both (a resident needs no account); each is limited per
client address (``RegistrationRateThrottle``) and per contact (the service),
and a code works five minutes and three tries.  The answers say only what
the caller gave or may know: their own registration's status, number,
place on the waiting list and, once they hold a place, their check-in code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kembar.accounts.addresses import client_address
from kembar.accounts.throttles import RegistrationRateThrottle
from kembar.common.api import NamedChoiceField
from kembar.geo.models import Region
from kembar.participation import selectors
from kembar.participation.models import ConsentPurpose, Registration, RegistrationStatus
from kembar.participation.registrations import (
    RegistrationData,
    RegistrationRefused,
    address_allowed,
    registration_confirm,
    registration_start,
    waiting_position,
)
from kembar.programs.models import AgeBand, Gender, StakeholderGroup

TAGS = ["registrations"]

#: HTTP status per refusal of the service.
REFUSAL_STATUS = {
    "closed": status.HTTP_409_CONFLICT,
    "duplicate": status.HTTP_409_CONFLICT,
    "state": status.HTTP_409_CONFLICT,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "code_wrong": status.HTTP_400_BAD_REQUEST,
    "code_expired": status.HTTP_400_BAD_REQUEST,
    "code_tries": status.HTTP_400_BAD_REQUEST,
}


class RegistrationStartSerializer(serializers.Serializer[None]):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=120)
    home_kelurahan = serializers.RegexField(
        r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
        allow_null=True,
        help_text="kode of the home kelurahan; null: lives outside the city",
    )
    group = NamedChoiceField(choices=StakeholderGroup.choices, enum_name="StakeholderGroupEnum")
    gender = NamedChoiceField(
        choices=Gender.choices,
        enum_name="GenderEnum",
        required=False,
        default=Gender.UNSPECIFIED,
        help_text="'unspecified': prefer not to say",
    )
    age_band = NamedChoiceField(
        choices=AgeBand.choices,
        enum_name="AgeBandEnum",
        required=False,
        default=AgeBand.UNKNOWN,
        help_text="'unknown': prefer not to say",
    )
    answers = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        default=dict,
        help_text="answers to the call's own questions, by the question's key",
    )
    consents = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentPurpose.choices),
        max_length=3,
        help_text="the purposes agreed to; 'taking_part' is needed",
    )
    language = serializers.ChoiceField(choices=[("id", "id"), ("en", "en")], required=False)


class RegistrationConfirmSerializer(serializers.Serializer[None]):
    code = serializers.CharField(max_length=12, help_text="the 6-digit code sent by e-mail")


class RegistrationStateSerializer(serializers.Serializer[None]):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="public registration number")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    waiting_position = serializers.IntegerField(
        allow_null=True, help_text="1 = next on the waiting list; null when not waiting"
    )
    checkin_code = serializers.CharField(
        allow_null=True, help_text="shown once the place is confirmed (the QR code's content)"
    )


class RegistrationRefusalSerializer(serializers.Serializer[None]):
    detail = serializers.CharField()
    code = serializers.CharField()


def _state(registration: Registration, *, reveal_code: bool) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "number": registration.number,
        "status": registration.status,
        "waiting_position": waiting_position(registration),
        "checkin_code": registration.checkin_code
        if reveal_code and registration.status == RegistrationStatus.CONFIRMED
        else None,
    }


def _refusal(refused: RegistrationRefused) -> Response:
    return Response(
        {"detail": refused.message, "code": refused.code},
        status=REFUSAL_STATUS.get(refused.code, status.HTTP_400_BAD_REQUEST),
    )


def _problems(error: DjangoValidationError) -> Response:
    return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)


class RegistrationStartView(APIView):
    """Start a registration for a published call; the code goes to the e-mail at once."""

    # Anyone may register (no account needed); rates per address and per contact.
    permission_classes = [AllowAny]
    throttle_classes = [RegistrationRateThrottle]

    @extend_schema(
        tags=TAGS,
        request=RegistrationStartSerializer,
        responses={
            201: RegistrationStateSerializer,
            400: OpenApiResponse(description="what to correct, by field"),
            404: OpenApiResponse(description="no published call with this id"),
            409: RegistrationRefusalSerializer,
            429: RegistrationRefusalSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        opportunity = get_object_or_404(selectors.public_opportunities(user=AnonymousUser()), pk=pk)
        serializer = RegistrationStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kelurahan = None
        if data["home_kelurahan"]:
            kelurahan = Region.objects.filter(kode=data["home_kelurahan"]).first()
            if kelurahan is None:
                return Response(
                    {"home_kelurahan": [f"No kelurahan has the kode {data['home_kelurahan']}."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        if not address_allowed(client_address(request)):
            return _refusal(
                RegistrationRefused(
                    "Too many registrations from this address in the last hour.", "rate_limited"
                )
            )
        try:
            registration = registration_start(
                opportunity=opportunity,
                email=data["email"],
                data=RegistrationData(
                    name=data["name"],
                    group=data["group"],
                    home_kelurahan=kelurahan,
                    gender=data["gender"],
                    age_band=data["age_band"],
                    answers=dict(data["answers"]),
                    consents=set(data["consents"]),
                    language=data.get("language") or (get_language() or "id")[:2],
                ),
            )
        except DjangoValidationError as error:
            return _problems(error)
        except RegistrationRefused as refused:
            return _refusal(refused)
        return Response(_state(registration, reveal_code=False), status=status.HTTP_201_CREATED)


class RegistrationConfirmView(APIView):
    """Confirm a registration with the code from the e-mail: a place, the waiting list or
    (lottery, panel) the application waits for the selection."""

    # The code is the proof: it reached the contact.  Three tries, then a new registration.
    permission_classes = [AllowAny]
    throttle_classes = [RegistrationRateThrottle]

    @extend_schema(
        tags=TAGS,
        request=RegistrationConfirmSerializer,
        responses={
            200: RegistrationStateSerializer,
            400: RegistrationRefusalSerializer,
            404: OpenApiResponse(description="no such registration"),
            409: RegistrationRefusalSerializer,
            429: OpenApiResponse(description="too many requests from this address"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = get_object_or_404(
            Registration.objects.select_related("opportunity__activity__partnership", "resident"),
            pk=pk,
        )
        serializer = RegistrationConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        was_pending = registration.status == RegistrationStatus.PENDING
        try:
            registration = registration_confirm(
                registration=registration, code=serializer.validated_data["code"]
            )
        except RegistrationRefused as refused:
            return _refusal(refused)
        # Only the one who just gave the right code sees the check-in code.
        return Response(_state(registration, reveal_code=was_pending))
