"""Staff pages of a call's registrations: the list, cancelling, panel scores, selection, check-in.

Only those who may manage the call (``participation.change_opportunity``)
see these pages: they show residents' personal data, and every view of it is
logged (:func:`~kembar.participation.registrations.log_personal_data_access`).
The check-in page also works offline on the officer's phone: ``checkin.js``
queues check-ins with their time and sends them when the network is back;
a service worker whose scope is the page alone keeps it loadable offline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.common.staff_views import require as _require
from kembar.common.tabular import csv_writer
from kembar.participation import selectors
from kembar.participation.forms_staff import (
    CancelForm,
    CheckInForm,
    RegistrationFilterForm,
    SelectionForm,
    UndoForm,
)
from kembar.participation.models import (
    Allocation,
    Opportunity,
    OpportunityStatus,
    Registration,
    RegistrationStatus,
)
from kembar.participation.registrations import (
    RegistrationRefused,
    check_in,
    check_in_undo,
    log_personal_data_access,
    opportunity_select,
    registration_cancel,
)
from kembar.participation.staff_registrations import (
    checkin_hashes,
    registration_scores_set,
    staff_registrations,
    status_counts,
    waiting_positions,
)
from kembar.partnerships.views import StaffRequest, staff_view

PAGE_SIZE = 50
MANAGE = "participation.change_opportunity"


def _managed_or_404(request: StaffRequest, pk: int) -> Opportunity:
    """The call, if the user sees it (404 otherwise) and may manage it (403 otherwise)."""
    opportunity = selectors.staff_opportunities(user=request.user).filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    _require(request, MANAGE, opportunity)
    return opportunity


def _registration_or_404(opportunity: Opportunity, registration_pk: int) -> Registration:
    registration = Registration.objects.filter(opportunity=opportunity, pk=registration_pk).first()
    if registration is None:
        raise Http404
    return registration


def _errors(request: StaffRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The list of registrations --------------------------------------------------------------


@require_safe
@staff_view
def registration_list(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _managed_or_404(request, pk)
    form = RegistrationFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(
        staff_registrations(opportunity=opportunity, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    log_personal_data_access(
        request, "registrations list", opportunity=opportunity, people=len(rows)
    )
    positions = waiting_positions(opportunity=opportunity, registrations=rows)
    for registration in rows:
        registration.waiting_position = positions.get(registration.pk)
    criteria = [str(criterion["name"]) for criterion in opportunity.panel_criteria]
    for registration in rows:
        registration.score_rows = [
            (index, name, (registration.scores or {}).get(name, ""))
            for index, name in enumerate(criteria)
        ]
    counts = status_counts([opportunity])[opportunity.pk]
    scoring = opportunity.allocation == Allocation.PANEL and opportunity.status in (
        OpportunityStatus.PUBLISHED,
        OpportunityStatus.CLOSED,
    )
    context = {
        "opportunity": opportunity,
        "form": form,
        "page": page,
        "rows": rows,
        "status_rows": [
            (value, label, counts[value]) for value, label in RegistrationStatus.choices
        ],
        "scoring": scoring,
        "criteria": criteria,
        "can_select": opportunity.allocation != Allocation.FIRST_COME
        and opportunity.status == OpportunityStatus.CLOSED,
        "cancellable": [
            RegistrationStatus.PENDING,
            RegistrationStatus.APPLIED,
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITING,
        ],
        "narrowed": bool(filters.status or filters.search),
    }
    return render(request, "staff/participation/registrations.html", context)


@require_safe
@staff_view
def registration_export(request: StaffRequest, pk: int) -> HttpResponse:
    """The list (with its filters) as CSV, for the call's officers; logged like the list."""
    opportunity = _managed_or_404(request, pk)
    filters = RegistrationFilterForm(request.GET).filters()
    rows = list(staff_registrations(opportunity=opportunity, filters=filters))
    log_personal_data_access(
        request, "registrations export", opportunity=opportunity, people=len(rows)
    )
    positions = waiting_positions(opportunity=opportunity, registrations=rows)
    criteria = [str(criterion["name"]) for criterion in opportunity.panel_criteria]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registrations-{opportunity.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv_writer(response)
    writer.writerow(
        [
            "number",
            "name",
            "phone",
            "kecamatan",
            "group",
            "status",
            "place",
            "rank",
            "waiting_position",
            "checked_in_at",
            *(f"score:{name}" for name in criteria),
        ]
    )
    for registration in rows:
        kecamatan = registration.home_kecamatan
        writer.writerow(
            [
                registration.number,
                registration.name,
                registration.phone,
                kecamatan.name if kecamatan is not None else "",
                registration.group,
                registration.status,
                registration.place,
                registration.rank if registration.rank is not None else "",
                positions.get(registration.pk, ""),
                timezone.localtime(registration.checked_in_at).isoformat()
                if registration.checked_in_at
                else "",
                *((registration.scores or {}).get(name, "") for name in criteria),
            ]
        )
    return response


@require_POST
@staff_view
def registration_cancel_view(request: StaffRequest, pk: int, registration_pk: int) -> HttpResponse:
    opportunity = _managed_or_404(request, pk)
    registration = _registration_or_404(opportunity, registration_pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason and tick the box to cancel the registration."))
    else:
        try:
            registration_cancel(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RegistrationRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Registration %(number)s cancelled.") % {"number": registration.number},
            )
    return redirect("opportunities:registrations", pk=pk)


@require_POST
@staff_view
def registration_scores_view(request: StaffRequest, pk: int, registration_pk: int) -> HttpResponse:
    opportunity = _managed_or_404(request, pk)
    registration = _registration_or_404(opportunity, registration_pk)
    criteria = [str(criterion["name"]) for criterion in opportunity.panel_criteria]
    scores = {name: request.POST.get(f"score-{index}", "") for index, name in enumerate(criteria)}
    try:
        registration_scores_set(actor=request.user, registration=registration, scores=scores)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("Scores of %(number)s saved.") % {"number": registration.number}
        )
    return redirect("opportunities:registrations", pk=pk)


@require_POST
@staff_view
def selection_view(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _managed_or_404(request, pk)
    if not SelectionForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to run the selection."))
        return redirect("opportunities:registrations", pk=pk)
    try:
        result = opportunity_select(actor=request.user, opportunity=opportunity)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Selection done: %(confirmed)d with a place, %(waiting)d on the waiting list.")
            % {
                "confirmed": len(result.confirmed),
                "waiting": len(result.waiting),
            },
        )
    return redirect("opportunities:registrations", pk=pk)


# --- Check-in ---------------------------------------------------------------------------


def _check_in_post(request: StaffRequest, opportunity: Opportunity) -> tuple[dict[str, Any], int]:
    """Do what the form without JavaScript asks: check in a code, or undo a check-in."""
    if request.POST.get("action") == "undo":
        undo = UndoForm(request.POST)
        if not undo.is_valid():
            return {"kind": "refused", "message": _("Nothing to undo.")}, 400
        registration = _registration_or_404(opportunity, undo.cleaned_data["registration"])
        try:
            check_in_undo(actor=request.user, registration=registration)
        except RegistrationRefused as refused:
            return {"kind": "refused", "message": refused.message}, 400
        return {
            "kind": "undone",
            "message": _("Check-in of %(number)s undone.") % {"number": registration.number},
        }, 200
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return {"kind": "refused", "message": _("Type or scan a check-in code.")}, 400
    try:
        result = check_in(
            actor=request.user, opportunity=opportunity, code=form.cleaned_data["code"]
        )
    except RegistrationRefused as refused:
        return {"kind": "refused", "message": refused.message}, 400
    log_personal_data_access(request, "check-in", opportunity=opportunity, people=1)
    return {
        "kind": "already" if result.already else "checked_in",
        "registration": result.registration,
    }, 200


@require_http_methods(["GET", "POST"])
@staff_view
def check_in_view(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _managed_or_404(request, pk)
    result, status = _check_in_post(request, opportunity) if request.method == "POST" else ({}, 200)
    counts = status_counts([opportunity])[opportunity.pk]
    context = {
        "opportunity": opportunity,
        "form": CheckInForm(),
        "result": result,
        "hashes": checkin_hashes(opportunity),
        "attended": counts[RegistrationStatus.ATTENDED],
        "expected": counts[RegistrationStatus.CONFIRMED] + counts[RegistrationStatus.ATTENDED],
    }
    return render(request, "staff/participation/check_in.html", context, status=status)


@require_safe
@staff_view
def check_in_service_worker(request: StaffRequest, pk: int) -> HttpResponse:
    """The check-in page's service worker; served under the page so that its scope is the page."""
    opportunity = _managed_or_404(request, pk)
    response = render(
        request,
        "staff/participation/check_in_sw.js",
        {"opportunity": opportunity},
        content_type="text/javascript; charset=utf-8",
    )
    # The browser checks for a new worker on every load; never a stale copy from a cache.
    response["Cache-Control"] = "no-cache"
    return response
