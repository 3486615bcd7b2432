from __future__ import annotations

from django.http import HttpRequest

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role
from kembar.partnerships.selectors import awaiting_decision


def approvals(request: HttpRequest) -> dict[str, int]:
    """How many moves await the signed-in staff member's decision, for the staff menu."""
    user = getattr(request, "user", None)
    if user is None or not has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES):
        return {}
    return {"approvals_waiting": len(awaiting_decision(user=user))}
