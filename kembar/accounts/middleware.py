"""Session rules that hold on every request: idle timeout, absolute lifetime, second factor.

- A session unused for ``KEMBAR_SESSION_IDLE_SECONDS`` ends.
- A session ends ``SESSION_COOKIE_AGE`` seconds after sign-in, however busy;
  the idle clock is written to the session, which would otherwise push
  Django's own expiry forward on every request.
- A session of a user whose second factor is on must have been opened with
  it (:func:`mark_signed_in` with ``second_factor=True``).  This holds for
  every way in (the sign-in page, the admin, anything added later), and a
  session opened before the factor was turned on ends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts.models import Role

__all__ = ["SIGNED_IN_AT", "SessionSecurityMiddleware", "mark_signed_in"]

SIGNED_IN_AT = "accounts:signed_in_at"
LAST_SEEN = "accounts:last_seen"
SECOND_FACTOR = "accounts:second_factor"
#: The idle clock is written at most this often, so a busy session is not saved on every request.
TOUCH_SECONDS = 60


def mark_signed_in(request: HttpRequest, *, second_factor: bool) -> None:
    """Start the clocks of a session just signed in, and say how it was opened."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[SECOND_FACTOR] = second_factor


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._end_reason(request)
            if reason is not None:
                citizen = getattr(user, "role", "") == Role.CITIZEN
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, reason)
                # Residents sign in again by code, staff with their password.
                login_url = reverse("account_login") if citizen else None
                return redirect_to_login(request.get_full_path(), login_url)
        return self.get_response(request)

    def _end_reason(self, request: HttpRequest) -> str | None:
        session = request.session
        now = timezone.now().timestamp()
        if getattr(request.user, "totp_enabled", False) and not session.get(SECOND_FACTOR):
            return _("Sign in again with your second factor.")
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen = float(session.get(LAST_SEEN, now))
        if now - last_seen > settings.KEMBAR_SESSION_IDLE_SECONDS:
            minutes = settings.KEMBAR_SESSION_IDLE_SECONDS // 60
            return _("You were signed out after %(minutes)d minutes without activity.") % {
                "minutes": minutes
            }
        if now - float(signed_in_at) > settings.SESSION_COOKIE_AGE:
            return _("Your session has ended; please sign in again.")
        if LAST_SEEN not in session or now - last_seen >= TOUCH_SECONDS:
            session[LAST_SEEN] = now
        return None
