"""Who may see a job and its result (django-rules).

A job shows what its creator uploaded and what came of it: the creator sees
it, and so do the administrators and the cooperation officers of the
creator's region (who answer for that region's records); nobody else.
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.rules import can_act_on_region

__all__ = ["can_view_job"]


@rules.predicate
def can_view_job(user: Any, job: Any) -> bool:
    if job is None or not getattr(user, "is_authenticated", False):
        return False
    if job.created_by_id == user.pk:
        return True
    organisation = job.created_by.organisation
    region_id = organisation.home_region_id if organisation is not None else None
    return can_act_on_region(user, region_id)


rules.add_perm("jobs.view_job", can_view_job)
