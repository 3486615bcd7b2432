from __future__ import annotations

from django.http import HttpRequest

from kembar.accounts.notifications import notifications_unread_count


def inbox(request: HttpRequest) -> dict[str, int]:
    """The number of unread notifications, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread_count(user)}
