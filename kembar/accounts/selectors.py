"""Reads from accounts, with the related rows they need already joined."""

from __future__ import annotations

from kembar.accounts.models import User

__all__ = ["user_pending_sign_in_get", "user_profile_get"]


def user_profile_get(*, user_id: int) -> User:
    """The user with their organisation, for showing who is signed in."""
    return User.objects.select_related("organisation").get(pk=user_id)


def user_pending_sign_in_get(*, user_id: int) -> User | None:
    """The active user who passed the password step, or ``None`` if gone or deactivated."""
    return User.objects.filter(pk=user_id, is_active=True).first()
