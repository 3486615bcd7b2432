"""Writes of guidance: a region's cooperation office shares a practice with every region."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kembar.knowledge.models import Practice
from kembar.programs.checks import stamp

__all__ = ["practice_share"]


def practice_share(*, actor: Any, practice: Practice, shared: bool) -> Practice:
    """Show ``practice`` on the public page of shared practices, or stop showing it.

    For the cooperation office of the practice's region and administrators
    (``guidance.share_practice``); the history record names the actor.
    """
    if not actor.has_perm("guidance.share_practice", practice):
        raise PermissionDenied
    with transaction.atomic():
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        if locked.shared != shared:
            locked.shared = shared
            stamp(locked, actor, "shared" if shared else "withdrawn from sharing")
            locked.save(update_fields=["shared", "updated_at"])
    practice.refresh_from_db()
    return practice
