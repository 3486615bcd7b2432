"""A resident's own data: see it, download it, withdraw a consent, delete it (UU PDP 27/2022).

Two ways in, the same pages: the signed link at the end of every e-mail
(``warga/data/<data_token>/``, no sign-in; a bad, old or void link is 404) and
the signed-in citizen's page (``warga/data/``).  Nothing here is cached
(``never_cache``) and nothing here is logged as a staff access: it is the
person looking at their own data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required, permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.participation.links import resident_from_token
from kembar.participation.models import Consent, ConsentPurpose, Resident
from kembar.participation.personal_data import consent_withdraw, resident_erase, resident_export

__all__ = [
    "citizen_data",
    "citizen_data_delete",
    "citizen_data_json",
    "citizen_data_withdraw",
    "link_data",
    "link_data_delete",
    "link_data_json",
    "link_data_withdraw",
]

View = Callable[..., HttpResponse]


def citizen_area(view: View) -> View:
    """Signed-in citizens only (anonymous: the sign-in page; staff: 403)."""
    return login_required(
        permission_required("accounts.access_citizen_area", raise_exception=True)(view),
        login_url="account_login",
    )


def _citizen_resident(request: HttpRequest) -> Resident | None:
    """The signed-in citizen's resident: linked, or registered under their verified e-mail."""
    user: Any = request.user
    resident = Resident.objects.filter(user=user).first()
    if resident is None and user.email:
        # The account's e-mail was confirmed by a code sent to it: the same person.
        resident = Resident.objects.filter(email=user.email.lower(), user__isnull=True).first()
    return resident


def _link_resident(token: str) -> Resident:
    resident = resident_from_token(token)
    if resident is None:
        raise Http404
    return resident


class _Urls:
    """The addresses of one way in (the e-mail link or the citizen's page)."""

    def __init__(self, token: str | None) -> None:
        args = [token] if token else []
        prefix = "participation:data-link" if token else "participation:data"
        self.page = reverse(prefix, args=args)
        self.json = reverse(f"{prefix}-json", args=args)
        self.delete = reverse(f"{prefix}-delete", args=args)
        self.withdraw = reverse(f"{prefix}-withdraw", args=args)


def _consent_rows(resident: Resident) -> list[dict[str, Any]]:
    consents = resident.consents.select_related("registration__opportunity").order_by(
        "given_at", "pk"
    )
    return [
        {
            "consent": consent,
            "purpose": ConsentPurpose(consent.purpose).label,
            "call": consent.registration.opportunity.title if consent.registration else "",
        }
        for consent in consents
    ]


def _page(request: HttpRequest, resident: Resident | None, token: str | None) -> HttpResponse:
    context: dict[str, Any] = {"resident": resident, "urls": _Urls(token), "via_link": bool(token)}
    if resident is not None:
        context["registrations"] = (
            resident.registrations.select_related(
                "opportunity__activity", "home_kelurahan", "home_kecamatan"
            )
            .prefetch_related("survey")
            .order_by("-created_at", "pk")
        )
        context["consents"] = _consent_rows(resident)
    return render(request, "participation/data/page.html", context)


def _json(resident: Resident) -> HttpResponse:
    body = json.dumps(
        resident_export(resident), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"kembar-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _withdraw(request: HttpRequest, resident: Resident, token: str | None) -> HttpResponse:
    posted = request.POST.get("consent", "")
    consent = (
        Consent.objects.select_related("registration")
        .filter(resident=resident, pk=int(posted))
        .first()
        if posted.isdigit()
        else None
    )
    if consent is None:
        raise Http404
    if consent.withdrawn_at is None:
        consent_withdraw(
            resident=resident, purpose=consent.purpose, registration=consent.registration
        )
        messages.success(request, _("Your consent is withdrawn."))
    return redirect(_Urls(token).page)


def _delete(request: HttpRequest, resident: Resident | None, token: str | None) -> HttpResponse:
    if resident is None:
        raise Http404
    if request.method != "POST":
        return render(
            request,
            "participation/data/delete.html",
            {"resident": resident, "urls": _Urls(token), "via_link": bool(token)},
        )
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that everything is to be deleted."))
        return redirect(_Urls(token).delete)
    user = request.user
    signed_in_as_resident = getattr(user, "is_authenticated", False) and resident.user_id == user.pk
    resident_erase(resident=resident, reason="erased")
    if signed_in_as_resident:
        logout(request)
    return render(request, "participation/data/deleted.html")


# --- from the link in an e-mail --------------------------------------------------------


@never_cache
@require_safe
def link_data(request: HttpRequest, data_token: str) -> HttpResponse:
    return _page(request, _link_resident(data_token), data_token)


@never_cache
@require_safe
def link_data_json(request: HttpRequest, data_token: str) -> HttpResponse:
    return _json(_link_resident(data_token))


@never_cache
@require_POST
def link_data_withdraw(request: HttpRequest, data_token: str) -> HttpResponse:
    return _withdraw(request, _link_resident(data_token), data_token)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link_data_delete(request: HttpRequest, data_token: str) -> HttpResponse:
    return _delete(request, _link_resident(data_token), data_token)


# --- the signed-in citizen ------------------------------------------------------------------


@never_cache
@require_safe
@citizen_area
def citizen_data(request: HttpRequest) -> HttpResponse:
    return _page(request, _citizen_resident(request), None)


@never_cache
@require_safe
@citizen_area
def citizen_data_json(request: HttpRequest) -> HttpResponse:
    resident = _citizen_resident(request)
    if resident is None:
        raise Http404
    return _json(resident)


@never_cache
@require_POST
@citizen_area
def citizen_data_withdraw(request: HttpRequest) -> HttpResponse:
    resident = _citizen_resident(request)
    if resident is None:
        raise Http404
    return _withdraw(request, resident, None)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@citizen_area
def citizen_data_delete(request: HttpRequest) -> HttpResponse:
    resident = _citizen_resident(request)
    if resident is not None and resident.user_id is None and request.method == "POST":
        # Registered before signing in: deleting everything includes this account.
        Resident.objects.filter(pk=resident.pk).update(user=request.user)
        resident.user_id = request.user.pk
    return _delete(request, resident, None)
