"""Writes to accounts: the second sign-in factor, recovery codes, API tokens, sign-in records.

Each service checks its input, runs in one transaction and leaves an audit
record (the user's history, with a change reason) where a setting changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from kembar.accounts import crypto, totp
from kembar.accounts.models import RecoveryCode, Role, User

__all__ = [
    "RECOVERY_CODE_COUNT",
    "login_records_purge",
    "user_recovery_codes_issue",
    "user_second_factor_consume",
    "user_second_factor_reset",
    "user_token_issue",
    "user_tokens_revoke",
    "user_totp_consume",
    "user_totp_disable",
    "user_totp_enable",
]

logger = logging.getLogger(__name__)

INVALID_CODE = _("This code is not valid. Enter the current code from your authenticator app.")
#: Recovery codes made at a time; each works once.
RECOVERY_CODE_COUNT = 10
#: Letters and digits of a recovery code: no 0/o, 1/l/i, so it reads back unambiguously.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _audit(user: User, reason: str, fields: list[str]) -> None:
    """Save ``fields`` of ``user`` with a history record that says why."""
    user._change_reason = reason  # type: ignore[attr-defined]
    user.save(update_fields=fields)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def is_totp_code(typed: str) -> bool:
    """Whether ``typed`` has the form of an authenticator code (six ASCII digits)."""
    return len(typed) == totp.DIGITS and typed.isascii() and typed.isdigit()


def normalise_recovery_code(typed: str) -> str | None:
    """The code as stored (lower case, no spaces or hyphens), or ``None`` if it cannot be one."""
    cleaned = typed.replace(" ", "").replace("-", "").lower()
    if len(cleaned) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in cleaned):
        return None
    return cleaned


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=crypto.keyed_digests(code.replace("-", ""))[0])
        for code in codes
    )
    return codes


def user_totp_enable(
    *, user: User, secret: str, code: str, at: dt.datetime | None = None
) -> list[str]:
    """Turn the second factor on with ``secret``, once ``code`` proves the app has it.

    The step of ``code`` is stored as used, so the code that confirmed the
    setup cannot then be replayed to sign in.  The user's API tokens are
    revoked (they were issued on the password alone).

    Returns
    -------
    list of str
        New recovery codes, to be shown once: only their digests are kept.

    Raises
    ------
    PermissionDenied
        If the user has no staff role.
    ValidationError
        If the second factor is already on, or ``code`` does not match.
    """
    # Citizens sign in by an e-mail code only (kembar.accounts.citizen_adapter).
    if not user.role or user.role == Role.CITIZEN:
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
        _audit(locked, "second factor turned on", ["totp_key", "totp_enabled", "totp_last_step"])
        codes = _replace_recovery_codes(locked)
        AuthToken.objects.filter(user=locked).delete()
    user.refresh_from_db()
    return codes


def _turn_off(user: User, reason: str) -> None:
    user.totp_secret = ""
    user.totp_enabled = False
    user.totp_last_step = None
    _audit(user, reason, ["totp_key", "totp_enabled", "totp_last_step"])
    RecoveryCode.objects.filter(user=user).delete()
    AuthToken.objects.filter(user=user).delete()


def user_totp_disable(
    *, user: User, password: str, code: str, at: dt.datetime | None = None
) -> User:
    """Turn the second factor off; the person proves both factors again.

    Recovery codes are deleted and API tokens revoked.

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
        _turn_off(locked, "second factor turned off")
    user.refresh_from_db()
    return user


def user_second_factor_reset(*, user: User, by: User, reason: str) -> User:
    """An administrator turns a user's second factor off (lost phone, left the office).

    Recovery codes are deleted and API tokens revoked; the user's history
    records who reset it and why.

    Raises
    ------
    PermissionDenied
        If ``by`` is not an administrator.
    ValidationError
        If no reason is given, or the second factor is off.
    """
    if not (by.is_superuser or by.role == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only an administrator can reset a second factor."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the second factor is reset.")})
    with transaction.atomic():
        locked = _locked(user)
        if not locked.totp_enabled:
            raise ValidationError(_("The second factor is already off."), code="already_off")
        _turn_off(locked, f"second factor reset by {by.get_username()}: {reason}"[:100])
    user.refresh_from_db()
    return user


def user_recovery_codes_issue(*, user: User) -> list[str]:
    """New recovery codes for a user whose second factor is on; the old ones stop working.

    Raises
    ------
    ValidationError
        If the second factor is off.
    """
    with transaction.atomic():
        locked = _locked(user)
        if not locked.totp_enabled:
            raise ValidationError(_("Turn the second factor on first."), code="off")
        codes = _replace_recovery_codes(locked)
        # No field changes; the save leaves the history record that says codes were replaced.
        _audit(locked, "recovery codes replaced", ["totp_enabled"])
    return codes


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
        try:
            secret = locked.totp_secret
        except crypto.SecretUnreadable:
            # SECRET_KEY changed without keeping the old one: only an administrator's reset helps.
            logger.error("second-factor key of user %s cannot be decrypted", locked.pk)
            return False
        step = totp.verify(secret, code, at=at or timezone.now(), last_step=locked.totp_last_step)
        if step is None:
            return False
        User.objects.filter(pk=locked.pk).update(totp_last_step=step)
    user.totp_last_step = step
    return True


def user_second_factor_consume(*, user: User, code: str, at: dt.datetime | None = None) -> bool:
    """Accept a current authenticator code, or an unused recovery code, once."""
    cleaned = code.replace(" ", "")
    if is_totp_code(cleaned):
        return user_totp_consume(user=user, code=cleaned, at=at)
    normalised = normalise_recovery_code(code)
    if normalised is None:
        return False
    with transaction.atomic():
        locked = _locked(user)
        if not locked.totp_enabled:
            return False
        used = RecoveryCode.objects.filter(
            user=locked, digest__in=crypto.keyed_digests(normalised), used_at__isnull=True
        ).update(used_at=at or timezone.now())
    return used > 0


def user_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``: the stored row (a digest) and the token to hand out once."""
    with transaction.atomic():
        return AuthToken.objects.create(user=user)


def user_tokens_revoke(*, user: User, token: AuthToken | None = None) -> int:
    """Revoke ``token``, or every API token of ``user``; the number revoked."""
    tokens = AuthToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    deleted, _by_model = tokens.delete()
    return deleted


def login_records_purge(*, days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete sign-in records (django-axes) older than ``days`` days; counts by kind.

    Each record is dated by its first attempt (django-axes' ``attempt_time``).
    Running it twice deletes nothing the second time.
    """
    if days < 1:
        raise ValidationError({"days": _("Keep sign-in records for at least one day.")})
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    counts = {}
    with transaction.atomic():
        for name, model in (
            ("attempts", AccessAttempt),
            ("logs", AccessLog),
            ("failures", AccessFailureLog),
        ):
            _total, by_model = model.objects.filter(attempt_time__lt=cutoff).delete()
            counts[name] = by_model.get(model._meta.label, 0)
    return counts
