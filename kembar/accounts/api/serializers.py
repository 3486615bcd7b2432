from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from kembar.accounts.models import Organisation, User


class TokenRequestSerializer(serializers.Serializer[None]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text=_("The current 6-digit code; required when the account's second factor is on."),
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
    )


class TokenSerializer(serializers.Serializer[Token]):
    token = serializers.CharField(
        source="key", help_text=_("Send it as the header “Authorization: Token <token>”.")
    )


class OrganisationBriefSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind"]


class MeSerializer(serializers.ModelSerializer[User]):
    full_name = serializers.CharField(source="get_full_name")
    organisation = OrganisationBriefSerializer(allow_null=True)

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "organisation"]
