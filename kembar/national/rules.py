"""Who may see the national view and record a report (django-rules).

- ``national.view_national``: the Ministry of Home Affairs (role ``ministry``)
  and administrators, read-only.  Not the governor's office (it supervises its
  own province only), not the regions' own staff, not partner counterparts.
- ``national.view_province``: the governor's view of a province (its Kemendagri code,
  or ``None`` for "some province"): the province supervisor (the governor's office)
  of that province only, the ministry and administrators of every province.
- ``national.record_report``: that a region sent its Pasal 43 report, on the
  region (its Kemendagri code, or ``None`` for "any region"): the region's
  cooperation officers and administrators
  (:func:`kembar.accounts.rules.can_act_on_region`).  The ministry reads.
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role
from kembar.accounts.rules import can_act_on_region, has_role, serves_region

__all__ = ["may_record_report", "sees_national", "supervises_province"]


@rules.predicate
def sees_national(user: Any) -> bool:
    return has_role(user, Role.MINISTRY, Role.ADMINISTRATOR)


@rules.predicate
def may_record_report(user: Any, region_id: str | None) -> bool:
    if region_id is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_act_on_region(user, region_id)


@rules.predicate
def supervises_province(user: Any, province: str | None) -> bool:
    if has_role(user, Role.MINISTRY, Role.ADMINISTRATOR):
        return True
    if not has_role(user, Role.PROVINCE_SUPERVISOR):
        return False
    return province is None or serves_region(user, province)


rules.add_perm("national.view_national", sees_national)
rules.add_perm("national.view_province", supervises_province)
rules.add_perm("national.record_report", may_record_report)
