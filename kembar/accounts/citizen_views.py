"""The citizen's own page and allauth's code step with django-axes in it.

Sign-in by code itself is django-allauth's (see :mod:`kembar.accounts.citizen_urls`).
"""

from __future__ import annotations

from typing import Any

from allauth.account.views import ConfirmLoginCodeView
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kembar.accounts.citizen_forms import CitizenConfirmLoginCodeForm

__all__ = ["CitizenConfirmLoginCodeView", "citizen_home"]


class CitizenConfirmLoginCodeView(ConfirmLoginCodeView):
    """allauth's view; the form also learns whose code it is, for the axes lockout."""

    form_class = CitizenConfirmLoginCodeForm
    template_name = "accounts/citizen/confirm_login_code.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        if self._action != "resend":
            kwargs["user"] = self._process.user
        return kwargs


@require_GET
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def citizen_home(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's own page."""
    return render(request, "accounts/citizen/home.html")
