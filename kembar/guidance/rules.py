"""Who may use the staff side of guidance (django-rules).

- The library filled in with the region's name: the region's own staff
  (cooperation office, agencies, leadership, council) and administrators.
- Sharing a practice with every region (or withdrawing it) is a review, as
  making a policy public is: the cooperation office of the practice's region
  and administrators (:func:`kembar.knowledge.rules.can_review_region`).
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role
from kembar.knowledge.rules import can_review_region

__all__ = ["can_share_practice", "can_use_library"]


@rules.predicate
def can_use_library(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES)


@rules.predicate
def can_share_practice(user: Any, practice: Any) -> bool:
    if practice is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_review_region(user, practice.region_id)


rules.add_perm("guidance.use_library", can_use_library)
rules.add_perm("guidance.share_practice", can_share_practice)
