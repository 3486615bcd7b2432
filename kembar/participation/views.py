"""Staff pages for opportunities: list, create from an activity, edit, status, reserved places.

Each view checks its permission (``kembar.participation.rules``), parses its
input with a form, calls one service or selector and renders.  Calls a user
may not see are 404, changes a user may see but not make are 403; a service's
ValidationError is shown again with status 400, nothing half-saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.common.staff_views import apply_errors as _apply_errors
from kembar.common.staff_views import require as _require
from kembar.common.versioning import EditConflict, conflict_box, display
from kembar.participation import selectors
from kembar.participation.forms import OpportunityFilterForm, OpportunityForm, TransitionForm
from kembar.participation.models import Opportunity, OpportunityStatus, PersonalDataAccess
from kembar.participation.registrations import log_personal_data_access
from kembar.participation.services import (
    NEXT_STATUS,
    OpportunityData,
    kecamatan_of,
    opportunity_create,
    opportunity_reservations_set,
    opportunity_transition,
    opportunity_update,
    suggested_reservations,
)
from kembar.participation.survey import survey_comments
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs import selectors as activity_selectors
from kembar.programs.models import Activity

PAGE_SIZE = 25


def _opportunity_or_404(request: StaffRequest, pk: int) -> Opportunity:
    opportunity = selectors.staff_opportunities(user=request.user).filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    return opportunity


def _errors(request: StaffRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _version(request: StaffRequest, opportunity: Opportunity) -> int:
    posted = request.POST.get("version", "")
    return int(posted) if posted.isdigit() else opportunity.version


def _conflict(error: EditConflict) -> dict[str, Any]:
    return conflict_box(
        error,
        heading=_("Someone else saved this call while you were working on it"),
        elsewhere=_("Their change was elsewhere in the call (its status or reserved places)."),
        display=lambda _name, value: display(value),
    )


@require_safe
@staff_view
def opportunity_list(request: StaffRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET)
    filters = form.filters()
    opportunities = selectors.staff_opportunities(user=request.user, filters=filters)
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "narrowed": bool(filters.status or filters.kind or filters.search),
        "can_add": request.user.has_perm("participation.add_opportunity", None),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "staff/opportunities/_results.html" if partial else "staff/opportunities/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _manageable_activities(request: StaffRequest) -> list[Activity]:
    activities = activity_selectors.activity_list(user=request.user, include_public=False)
    return [
        activity
        for activity in activities
        if request.user.has_perm("participation.add_opportunity", activity)
    ]


@require_http_methods(["GET", "POST"])
@staff_view
def opportunity_create_view(request: StaffRequest) -> HttpResponse:
    _require(request, "participation.add_opportunity", None)
    reference = request.POST.get("activity") or request.GET.get("activity", "")
    activity = (
        activity_selectors.activity_detail_get(
            user=request.user, reference=reference, include_public=False
        )
        if reference
        else None
    )
    if activity is None:
        choices = _manageable_activities(request)
        return render(request, "staff/opportunities/choose.html", {"activities": choices})
    _require(request, "participation.add_opportunity", activity)
    form = OpportunityForm(request.POST or None, kecamatan=kecamatan_of(activity))
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = opportunity_create(
                actor=request.user, activity=activity, data=form.data_for_service()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Call saved as a draft."))
            return redirect("opportunities:detail", pk=opportunity.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "activity": activity, "opportunity": None}
    return render(request, "staff/opportunities/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def opportunity_edit(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    _require(request, "participation.change_opportunity", opportunity)
    activity = opportunity.activity
    kecamatan = kecamatan_of(activity)
    initial = OpportunityForm.initial_from(OpportunityData.of(opportunity))
    form = OpportunityForm(
        request.POST or None,
        kecamatan=kecamatan,
        initial=initial,
        questions=opportunity.questions,
    )
    conflict = None
    version = _version(request, opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                data=form.data_for_service(),
                expected_version=version,
            )
        except EditConflict as error:
            conflict = _conflict(error)
            version = error.current.version
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Call saved."))
            return redirect("opportunities:detail", pk=opportunity.pk)
    status = 200 if request.method == "GET" else (409 if conflict else 400)
    context = {
        "form": form,
        "activity": activity,
        "opportunity": opportunity,
        "version": version,
        "conflict": conflict,
    }
    return render(request, "staff/opportunities/edit.html", context, status=status)


@require_safe
@staff_view
def opportunity_detail(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    _require(request, "participation.view_opportunity", opportunity)
    can_manage = request.user.has_perm("participation.change_opportunity", opportunity)
    target = NEXT_STATUS.get(opportunity.status)  # type: ignore[call-overload]
    context = {
        "opportunity": opportunity,
        "can_manage": can_manage,
        "next_status": target,
        "next_status_label": dict(OpportunityStatus.choices).get(target, "") if target else "",
        "transition_form": TransitionForm(
            initial={"target": target, "version": opportunity.version}
        ),
        "reservations": opportunity.reservations.all(),
        "suggestions": suggested_reservations(opportunity, user=request.user) if can_manage else [],
        "history": opportunity.history.select_related("history_user").order_by("-history_id")[:20],
        "comments": survey_comments(actor=request.user, opportunity=opportunity)
        if can_manage
        else [],
    }
    if context["comments"]:
        # Free text may name people: reading it is an access to personal data.
        log_personal_data_access(
            request, "survey comments", opportunity=opportunity, people=len(context["comments"])
        )
    return render(request, "staff/opportunities/detail.html", context)


@require_POST
@staff_view
def opportunity_transition_view(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    _require(request, "participation.change_opportunity", opportunity)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the change of status."))
        return redirect("opportunities:detail", pk=pk)
    try:
        opportunity_transition(
            actor=request.user,
            opportunity=opportunity,
            target=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except EditConflict:
        messages.error(request, _("Someone else changed this call meanwhile; check it again."))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Status changed."))
    return redirect("opportunities:detail", pk=pk)


@require_POST
@staff_view
def opportunity_accept_suggestions(request: StaffRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    _require(request, "participation.change_opportunity", opportunity)
    try:
        opportunity_reservations_set(
            actor=request.user,
            opportunity=opportunity,
            rows=suggested_reservations(opportunity, user=request.user),
            expected_version=_version(request, opportunity),
        )
    except EditConflict:
        messages.error(request, _("Someone else changed this call meanwhile; check it again."))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Reserved places set from the suggestions."))
    return redirect("opportunities:detail", pk=pk)


@require_safe
@staff_view
def personal_data_log(request: StaffRequest) -> HttpResponse:
    """Who was shown residents' personal data, newest first (administrators only)."""
    _require(request, "participation.view_personaldataaccess", None)
    accesses = PersonalDataAccess.objects.select_related("user", "opportunity").order_by(
        "-at", "-pk"
    )
    page = Paginator(accesses, 50).get_page(request.GET.get("page"))
    return render(request, "staff/opportunities/personal_data_log.html", {"page": page})
