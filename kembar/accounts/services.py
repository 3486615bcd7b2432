"""Writes to accounts: the second sign-in factor and API tokens.

Each service checks its input, runs in one transaction and leaves an audit
record (the user's history, with a change reason) where a setting changes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from kembar.accounts import totp
from kembar.accounts.models import User

__all__ = [
    "user_token_issue",
    "user_totp_consume",
    "user_totp_disable",
    "user_totp_enable",
]

INVALID_CODE = _("This code is not valid. Enter the current code from your authenticator app.")


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def user_totp_enable(*, user: User, secret: str, code: str, at: dt.datetime | None = None) -> User:
    """Turn the second factor on with ``secret``, once ``code`` proves the app has it.

    The step of ``code`` is stored as used, so the code that confirmed the
    setup cannot then be replayed to sign in.

    Raises
    ------
    PermissionDenied
        If the user has no staff role.
    ValidationError
        If the second factor is already on, or ``code`` does not match.
    """
    if not user.role:
        raise PermissionDenied(_("Only staff accounts can turn on the second factor."))
    with transaction.atomic():
        locked = _locked(user)
        if locked.totp_enabled:
            raise ValidationError(_("The second factor is already on."), code="already_on")
        step = totp.verify(secret, code, at=at or timezone.now(), last_step=None)
        if step is None:
            raise ValidationError({"code": INVALID_CODE})
        locked.totp_secret = secret
        locked.totp_enabled = True
        locked.totp_last_step = step
        locked._change_reason = "second factor turned on"  # type: ignore[attr-defined]
        locked.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    user.refresh_from_db()
    return user


def user_totp_disable(
    *, user: User, password: str, code: str, at: dt.datetime | None = None
) -> User:
    """Turn the second factor off; the person proves both factors again.

    Raises
    ------
    ValidationError
        If the second factor is off, or the password or the code is wrong.
    """
    with transaction.atomic():
        locked = _locked(user)
        if not locked.totp_enabled:
            raise ValidationError(_("The second factor is already off."), code="already_off")
        errors = {}
        if not locked.check_password(password):
            errors["password"] = _("The password is not correct.")
        if (
            totp.verify(
                locked.totp_secret,
                code,
                at=at or timezone.now(),
                last_step=locked.totp_last_step,
            )
            is None
        ):
            errors["code"] = INVALID_CODE
        if errors:
            raise ValidationError(errors)
        locked.totp_secret = ""
        locked.totp_enabled = False
        locked.totp_last_step = None
        locked._change_reason = "second factor turned off"  # type: ignore[attr-defined]
        locked.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    user.refresh_from_db()
    return user


def user_totp_consume(*, user: User, code: str, at: dt.datetime | None = None) -> bool:
    """Accept ``code`` as the user's second factor once, and only once.

    The matched step is stored under a row lock, so two requests with the
    same code cannot both succeed.  The step is a replay guard, not a change
    of settings: it is written without a history record (sign-ins are logged
    by django-axes).
    """
    with transaction.atomic():
        locked = _locked(user)
        if not locked.totp_enabled:
            return False
        step = totp.verify(
            locked.totp_secret, code, at=at or timezone.now(), last_step=locked.totp_last_step
        )
        if step is None:
            return False
        User.objects.filter(pk=locked.pk).update(totp_last_step=step)
    user.totp_last_step = step
    return True


def user_token_issue(*, user: User) -> Token:
    """The user's API token, created on first use and reused after."""
    with transaction.atomic():
        token, _created = Token.objects.get_or_create(user=user)
    return token
