"""Who may see and manage opportunities (django-rules), following the activity rules.

- Anyone, anonymous visitors included, sees an opportunity once it is
  published (published, closed, results published).
- A draft, and every change, is for those who may change its activity: the
  activity's agency officers, and the region's cooperation officers and
  administrators (:func:`kembar.programs.rules.agency_allowed`).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from kembar.accounts.models import Role
from kembar.accounts.rules import has_role, is_administrator
from kembar.participation.models import Opportunity
from kembar.participation.models.opportunities import PUBLIC_STATUSES
from kembar.programs.rules import REPORTING_ROLES, agency_allowed

__all__ = ["manageable_q", "may_manage_for_activity"]


def may_manage_for_activity(user: Any, activity: Any) -> bool:
    """Whether ``user`` may publish and manage calls from ``activity`` (any, when None)."""
    if activity is None:
        return has_role(user, *REPORTING_ROLES)
    return agency_allowed(user, activity.agency, activity.partnership.local_region_id)


def manageable_q(user: Any) -> Q:
    """The opportunities ``user`` may manage, as a filter (the rule below, in SQL)."""
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return Q(pk__in=[])
    if has_role(user, Role.AGENCY_OFFICER):
        return Q(
            activity__agency_id=organisation.pk,
            activity__partnership__local_region_id=organisation.home_region_id,
        )
    if has_role(user, Role.COOPERATION_OFFICER):
        # The activity services already keep an activity's agency in its partnership's region.
        return Q(activity__partnership__local_region_id=organisation.home_region_id)
    return Q(pk__in=[])


@rules.predicate
def can_view_opportunity(user: Any, opportunity: Opportunity | None) -> bool:
    if opportunity is None or opportunity.status in PUBLIC_STATUSES:
        return True
    return may_manage_for_activity(user, opportunity.activity)


@rules.predicate
def can_manage_opportunity(user: Any, opportunity: Opportunity | None) -> bool:
    return may_manage_for_activity(user, opportunity.activity if opportunity else None)


@rules.predicate
def can_add_opportunity(user: Any, activity: Any) -> bool:
    return may_manage_for_activity(user, activity)


rules.add_perm("participation.view_opportunity", can_view_opportunity)
rules.add_perm("participation.add_opportunity", can_add_opportunity)
rules.add_perm("participation.change_opportunity", can_manage_opportunity)

# The log of staff views of residents' personal data (UU PDP 27/2022): administrators only.
rules.add_perm("participation.view_personaldataaccess", is_administrator)
