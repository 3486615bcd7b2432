"""Who may see and report activities (django-rules), on top of the partnership rules.

- Everyone who may see a partnership may see its activities.
- Administrators and the region's cooperation officers report for any agency
  of the region; an agency officer reports only for their own agency.
- Trip reports are for the region's staff and its council (oversight of
  travel), not for partner counterparts.
- The breakdown of participants (group × gender × age band × home kecamatan)
  is personal data (UU PDP 27/2022): the same people as trip reports see it;
  everyone else gets protected aggregates (``kembar.programs.disclosure``).
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, can_act_on_region, has_role, serves_region
from kembar.partnerships.models import Partnership

__all__ = ["agency_allowed", "may_report_for_partnership"]

REPORTING_ROLES = (Role.ADMINISTRATOR, Role.COOPERATION_OFFICER, Role.AGENCY_OFFICER)


def may_report_for_partnership(user: Any, partnership: Partnership | None) -> bool:
    """Whether ``user`` may add activities under ``partnership`` (any, when None)."""
    if partnership is None:
        return has_role(user, *REPORTING_ROLES)
    if can_act_on_region(user, partnership.local_region_id):
        return True
    return has_role(user, Role.AGENCY_OFFICER) and serves_region(user, partnership.local_region_id)


def agency_allowed(user: Any, agency: Any, region_id: str) -> bool:
    """Whether ``user`` may report for ``agency`` in the region ``region_id``.

    Agency officers only for their own organisation; cooperation officers and
    administrators for any body of the region's government.
    """
    if agency is None or agency.home_region_id != region_id:
        return False
    if has_role(user, Role.AGENCY_OFFICER):
        return bool(user.organisation_id == agency.pk)
    return can_act_on_region(user, region_id)


@rules.predicate
def can_view_activity(user: Any, activity: Any) -> bool:
    if activity is None:
        return has_role(user, Role.ADMINISTRATOR, Role.PARTNER_COUNTERPART, *LOCAL_ROLES)
    return bool(user.has_perm("partnerships.view_partnership", activity.partnership))


@rules.predicate
def can_change_activity(user: Any, activity: Any) -> bool:
    if activity is None:
        return has_role(user, *REPORTING_ROLES)
    region_id = activity.partnership.local_region_id
    return agency_allowed(user, activity.agency, region_id)


@rules.predicate
def can_add_activity(user: Any, partnership: Any) -> bool:
    return may_report_for_partnership(user, partnership)


@rules.predicate
def can_view_trip_report(user: Any, activity: Any) -> bool:
    if activity is None:
        return has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES)
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, *LOCAL_ROLES) and serves_region(
        user, activity.partnership.local_region_id
    )


rules.add_perm("programs.view_activity", can_view_activity)
rules.add_perm("programs.add_activity", can_add_activity)
rules.add_perm("programs.change_activity", can_change_activity)
rules.add_perm("programs.delete_activity", can_change_activity)
rules.add_perm("programs.view_tripreport", can_view_trip_report)
rules.add_perm("programs.view_participant_breakdown", can_view_trip_report)
rules.add_perm("programs.import_activities", can_change_activity)
