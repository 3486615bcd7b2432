from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.accounts.models import Organisation, User


class TokenRequestSerializer(serializers.Serializer[None]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.RegexField(
        r"^(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$",
        required=False,
        help_text=_(
            "The current 6-digit code, or an unused recovery code; required when the "
            "account's second factor is on."
        ),
        error_messages={"invalid": _("Enter the 6 digits of the code, or a recovery code.")},
    )


class TokenSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(
        help_text=_("Send it as the header “Authorization: Token <token>”. It is shown once.")
    )
    expiry = serializers.DateTimeField(help_text=_("When the token stops working."))


class RevokedSerializer(serializers.Serializer[dict[str, int]]):
    revoked = serializers.IntegerField(help_text=_("How many tokens were revoked."))


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
