"""Reads from accounts, with the related rows they need already joined."""

from __future__ import annotations

from django.utils import timezone
from knox.models import AuthToken

from kembar.accounts.models import RecoveryCode, User

__all__ = [
    "user_api_tokens_active",
    "user_pending_sign_in_get",
    "user_profile_get",
    "user_recovery_codes_left",
]


def user_profile_get(*, user_id: int) -> User:
    """The user with their organisation, for showing who is signed in."""
    return User.objects.select_related("organisation").get(pk=user_id)


def user_pending_sign_in_get(*, user_id: int) -> User | None:
    """The active user who passed the password step, or ``None`` if gone or deactivated."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_recovery_codes_left(*, user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def user_api_tokens_active(*, user: User) -> int:
    """How many API tokens of the user still work (not expired)."""
    return AuthToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).count()
