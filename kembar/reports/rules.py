"""Who may have a report made (django-rules).

The reports describe a region's cooperation: its cooperation officers make
them, and administrators (``reports.request_report``, the object a
:class:`~kembar.geo.models.Region`); the council's members may also have the
council report of their own region made, which is written for them
(``reports.request_council_report``).  Without a region, a rule says whether
the user may use the reports page at all.
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role
from kembar.accounts.rules import can_act_on_region, has_role, serves_region

__all__ = ["can_request_council_report", "can_request_report"]


@rules.predicate
def can_request_report(user: Any, region: Any) -> bool:
    if region is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_act_on_region(user, region.kode)


@rules.predicate
def can_request_council_report(user: Any, region: Any) -> bool:
    if region is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER, Role.COUNCIL_MEMBER)
    if can_act_on_region(user, region.kode):
        return True
    return has_role(user, Role.COUNCIL_MEMBER) and serves_region(user, region.kode)


rules.add_perm("reports.request_report", can_request_report)
rules.add_perm("reports.request_council_report", can_request_council_report)
