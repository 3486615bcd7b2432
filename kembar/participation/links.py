"""Signed links in residents' e-mails: manage their data, answer the survey.

A link carries a signed, timestamped token (``django.core.signing``); the
resident's ``link_key`` is part of what is signed, so deleting the person (or
giving them a new key) makes every earlier link void.  Nothing in a token
is secret beyond the signature: it names a row, and the signature says the
holder got it from Kembar's e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from kembar.participation.models import Registration, Resident

__all__ = [
    "manage_path",
    "manage_token",
    "registration_from_survey_token",
    "resident_from_token",
    "survey_path",
    "survey_token",
]

_MANAGE_SALT = "kembar.participation.manage"
_SURVEY_SALT = "kembar.participation.survey"


def manage_token(resident: Resident) -> str:
    return signing.dumps([resident.pk, resident.link_key], salt=_MANAGE_SALT, compress=True)


def resident_from_token(token: str) -> Resident | None:
    """The resident a manage link names, or None (bad signature, too old, key changed)."""
    try:
        pk, key = signing.loads(
            token, salt=_MANAGE_SALT, max_age=settings.KEMBAR_LINK_MAX_AGE_DAYS * 86400
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    resident = Resident.objects.filter(pk=pk).first()
    if resident is None or not isinstance(key, str) or resident.link_key != key:
        return None
    return resident


def manage_path(resident: Resident) -> str:
    return reverse("participation:data-link", args=[manage_token(resident)])


def survey_token(registration: Registration) -> str:
    return signing.dumps(
        [registration.pk, registration.resident.link_key], salt=_SURVEY_SALT, compress=True
    )


def registration_from_survey_token(token: str) -> Registration | None:
    try:
        pk, key = signing.loads(
            token, salt=_SURVEY_SALT, max_age=settings.KEMBAR_LINK_MAX_AGE_DAYS * 86400
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    registration = Registration.objects.select_related("resident").filter(pk=pk).first()
    if registration is None or registration.resident.link_key != key:
        return None
    return registration


def survey_path(registration: Registration) -> str:
    return reverse("participation:survey", args=[survey_token(registration)])
