from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role
from kembar.partnerships.selectors import awaiting_decision


def approvals(request: HttpRequest) -> dict[str, object]:
    """How many moves await the signed-in staff member's decision, for the staff menu."""
    user = getattr(request, "user", None)
    if user is None or not has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES):
        return {}
    # Lazy: the query runs only on pages that show the staff menu's badge, not on every page.
    return {"approvals_waiting": SimpleLazyObject(lambda: len(awaiting_decision(user=user)))}
