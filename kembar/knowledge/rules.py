"""Who may see and change knowledge records (django-rules), as for activities.

- The region's own staff (cooperation office, agencies, leadership, council)
  and administrators see the region's lessons, practices, policies and
  reflections; partner counterparts do not (lessons are frank internal
  evaluations; the public pages show the policies the office made public).
- An agency officer writes and changes the records of their own agency
  (lessons, policies, the reflection on their agency's activity, the
  follow-up of their agency's lessons); cooperation officers and
  administrators those of any body of the region.
- Reviewing (accepting or returning a reflection, marking a lesson reviewed,
  making a policy public) is for the cooperation office of the region and
  administrators only.
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, can_act_on_region, has_role, serves_region
from kembar.programs.rules import REPORTING_ROLES, agency_allowed

__all__ = ["can_review_region", "can_view_region"]


def can_view_region(user: Any, region_id: str | None) -> bool:
    """Administrators; the region's own staff."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, *LOCAL_ROLES) and serves_region(user, region_id)


def can_review_region(user: Any, region_id: str | None) -> bool:
    """The region's cooperation officers and administrators."""
    return can_act_on_region(user, region_id)


@rules.predicate
def can_view_record(user: Any, record: Any) -> bool:
    if record is None:
        return has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES)
    return can_view_region(user, record.region_id)


@rules.predicate
def can_add_record(user: Any, region_id: Any) -> bool:
    """``region_id`` is the region the record would belong to (any, when None)."""
    if region_id is None:
        return has_role(user, *REPORTING_ROLES)
    if can_act_on_region(user, region_id):
        return True
    return has_role(user, Role.AGENCY_OFFICER) and serves_region(user, region_id)


@rules.predicate
def can_change_agency_record(user: Any, record: Any) -> bool:
    """A lesson or policy: by its agency's officers, or the region's cooperation office."""
    if record is None:
        return has_role(user, *REPORTING_ROLES)
    return agency_allowed(user, record.agency, record.region_id)


@rules.predicate
def can_change_practice(user: Any, practice: Any) -> bool:
    if practice is None:
        return has_role(user, *REPORTING_ROLES)
    if practice.contact_agency is not None:
        return agency_allowed(user, practice.contact_agency, practice.region_id)
    return can_act_on_region(user, practice.region_id)


@rules.predicate
def can_review_record(user: Any, record: Any) -> bool:
    if record is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_review_region(user, record.region_id)


@rules.predicate
def can_reflect_on(user: Any, activity: Any) -> bool:
    """Write the reflection on ``activity``: its agency's officers, the cooperation office."""
    if activity is None:
        return has_role(user, *REPORTING_ROLES)
    return agency_allowed(user, activity.agency, activity.partnership.local_region_id)


@rules.predicate
def can_review_reflection(user: Any, reflection: Any) -> bool:
    if reflection is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_review_region(user, reflection.activity.partnership.local_region_id)


rules.add_perm("knowledge.view_record", can_view_record)
rules.add_perm("knowledge.add_record", can_add_record)
rules.add_perm("knowledge.change_lesson", can_change_agency_record)
rules.add_perm("knowledge.change_policy", can_change_agency_record)
rules.add_perm("knowledge.change_practice", can_change_practice)
rules.add_perm("knowledge.review_record", can_review_record)
rules.add_perm("knowledge.add_reflection", can_reflect_on)
rules.add_perm("knowledge.review_reflection", can_review_reflection)
