"""The admin site, signed in to through Kembar's own sign-in page.

Django's admin login checks the password only.  Sending ``/admin/login/`` to
the sign-in page means the admin is entered like every other page: password,
then the second factor where it is on (and the session rules of
:mod:`kembar.accounts.middleware` apply to admin sessions as to all others).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

__all__ = ["KembarAdminSite"]


class KembarAdminSite(admin.AdminSite):
    def login(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(next_url)
