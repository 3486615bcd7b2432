"""Public pages of calls and the resident's own registrations.

- ``opportunity_list`` and ``opportunity_page``: anyone (published calls of
  the public partnerships only); cached like every public page.  How full a
  call is comes as a small uncached fragment, and only as "places left",
  "waiting list" or "closed": never a number of people.
- ``register``: a resident signed in by a code sent to their e-mail
  (django-allauth; the sign-in is the confirmation of the contact) fills in
  what the call needs and gets a place or a place on the waiting list.
- ``my_registrations``, ``my_registration``, ``my_registration_cancel``:
  the signed-in resident's own, and no one else's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.common.public_cache import public_cacheable
from kembar.participation import selectors
from kembar.participation.forms_public import RegistrationFilterForm, RegistrationForm
from kembar.participation.links import survey_path
from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityStatus,
    Registration,
    RegistrationStatus,
    Resident,
    SurveyResponse,
)
from kembar.participation.registrations import (
    RegistrationRefused,
    address_allowed,
    is_open,
    registration_cancel,
    registration_start,
    waiting_position,
)

PAGE_SIZE = 20


def _public(pk: int) -> Opportunity:
    opportunity = (
        selectors.public_opportunities(user=AnonymousUser())
        .filter(pk=pk, activity__partnership__local_region_id=settings.KEMBAR_HOME_REGION)
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


@require_safe
@public_cacheable
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """Public: the calls of the home region, open ones first."""
    form = RegistrationFilterForm(request.GET or None)
    calls = selectors.public_opportunities(user=AnonymousUser()).filter(
        activity__partnership__local_region_id=settings.KEMBAR_HOME_REGION
    )
    if form.is_valid():
        if kind := form.cleaned_data["kind"]:
            calls = calls.filter(kind=kind)
        if text := form.cleaned_data["q"].strip():
            calls = calls.filter(
                Q(title_id__icontains=text)
                | Q(title_en__icontains=text)
                | Q(description_id__icontains=text)
                | Q(description_en__icontains=text)
            )
    calls = calls.order_by("status", "deadline", "pk")
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "participation/public/list.html", {"form": form, "page": page, "calls": page}
    )


@require_safe
@public_cacheable
def opportunity_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: one call, its terms, who may apply, how places are given."""
    opportunity = _public(pk)
    return render(
        request,
        "participation/public/detail.html",
        {
            "opportunity": opportunity,
            "questions": [q for q in opportunity.questions if isinstance(q, dict)],
        },
    )


def availability(opportunity: Opportunity) -> str:
    """``open`` (places left), ``waiting`` (all taken: the waiting list), ``apply``
    (lottery or panel: everyone applies until the deadline), or ``closed``."""
    if not is_open(opportunity):
        return "closed"
    if opportunity.allocation != Allocation.FIRST_COME:
        return "apply"
    held = Registration.objects.filter(
        opportunity=opportunity,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
    ).count()
    return "open" if held < opportunity.places else "waiting"


@require_safe
@never_cache
def opportunity_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """Public, uncached: whether places are left (a word, never a number of people)."""
    opportunity = _public(pk)
    return render(
        request,
        "participation/public/_availability.html",
        {"opportunity": opportunity, "state": availability(opportunity)},
    )


def _resident_of(request: HttpRequest) -> Resident | None:
    return Resident.objects.filter(
        Q(user=request.user) | Q(email=request.user.email.lower())  # type: ignore[union-attr]
    ).first()


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in resident registers for a call (their e-mail is confirmed by the sign-in)."""
    opportunity = _public(pk)
    resident = _resident_of(request)
    existing = (
        Registration.objects.filter(opportunity=opportunity, resident=resident)
        .exclude(status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.PENDING])
        .first()
        if resident
        else None
    )
    if existing is not None:
        messages.info(request, _("You are already registered for this call."))
        return redirect("participation:my-registration", existing.pk)
    form = RegistrationForm(request.POST or None, opportunity=opportunity)
    status = 200
    if request.method == "POST":
        if not is_open(opportunity):
            messages.error(request, _("This call is closed: registrations are no longer taken."))
            status = 409
        elif not address_allowed(_client_address(request)):
            messages.error(
                request, _("Too many registrations from you in the last hour: try again later.")
            )
            status = 429
        elif form.is_valid():
            try:
                registration = registration_start(
                    opportunity=opportunity,
                    email=request.user.email,  # type: ignore[union-attr]
                    data=form.data_for_service(),
                    verified=True,
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
                status = 400
            except RegistrationRefused as refused:
                messages.error(request, refused.message)
                status = 429 if refused.code == "rate_limited" else 409
            else:
                Resident.objects.filter(pk=registration.resident_id, user__isnull=True).update(
                    user=request.user
                )
                return redirect("participation:my-registration", registration.pk)
        else:
            status = 400
    return render(
        request,
        "participation/public/register.html",
        {"opportunity": opportunity, "form": form, "state": availability(opportunity)},
        status=status,
    )


def _own(request: HttpRequest) -> Any:
    resident = _resident_of(request)
    if resident is None:
        return Registration.objects.none()
    return Registration.objects.filter(resident=resident).select_related(
        "opportunity__activity__partnership", "home_kelurahan", "home_kecamatan"
    )


@require_safe
@never_cache
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def my_registrations(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's registrations, newest first."""
    registrations = _own(request).exclude(status=RegistrationStatus.PENDING).order_by("-created_at")
    return render(
        request, "participation/public/my_registrations.html", {"registrations": registrations}
    )


@require_safe
@never_cache
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def my_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """One registration of the signed-in resident: status, place, check-in code and QR code."""
    registration = _own(request).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return render(
        request,
        "participation/public/my_registration.html",
        {
            "registration": registration,
            "opportunity": registration.opportunity,
            "position": waiting_position(registration),
            "cancellable": registration.status
            in (
                RegistrationStatus.APPLIED,
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITING,
            ),
            "results_pending": registration.opportunity.status
            != OpportunityStatus.RESULTS_PUBLISHED
            and registration.status == RegistrationStatus.APPLIED,
            "survey_url": survey_path(registration)
            if registration.status == RegistrationStatus.ATTENDED
            and not SurveyResponse.objects.filter(registration=registration).exists()
            else "",
        },
    )


@require_POST
@login_required(login_url="account_login")
@permission_required("accounts.access_citizen_area", raise_exception=True)
def my_registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one's own registration (the page asks to confirm first)."""
    registration = _own(request).filter(pk=pk).first()
    if registration is None:
        raise Http404
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you cancel."))
        return redirect("participation:my-registration", pk)
    try:
        registration_cancel(registration=registration, reason="by the resident")
    except RegistrationRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("Your registration is cancelled. Someone waiting gets your place.")
        )
    return redirect(reverse("participation:my-registration", args=[pk]))
