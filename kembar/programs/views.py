"""Staff pages for activities: list, record, participants, money, results, trips, import.

Each view checks the permission, parses its input with a form, calls one
service or selector and renders.  Activities a user may not see are 404,
changes a user may see but not make are 403.  A service's ValidationError is
shown on the form again with status 400; nothing is half-saved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseFormSet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kembar.accounts.models import Organisation
from kembar.common.staff_views import apply_errors as _apply_errors
from kembar.common.staff_views import require as _require
from kembar.common.versioning import EditConflict, conflict_box
from kembar.insights.capacity import activity_capacity_check, capacity_gate, capacity_notice
from kembar.jobs.models import JobKind
from kembar.jobs.selectors import jobs_of_user
from kembar.jobs.services import job_enqueue
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.models import Partnership
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs import selectors
from kembar.programs.activities import (
    activity_delete,
    activity_money_set,
    activity_report_participants,
    activity_result_record,
    activity_save,
    needs_trip_report,
    officer_counts,
    trip_report_save,
)
from kembar.programs.conflicts import display
from kembar.programs.disclosure import (
    hidden_people_actuals,
    participant_summary,
    participant_totals_listed,
    sees_participant_breakdown,
)
from kembar.programs.effects import activity_effect_delete, activity_effect_save
from kembar.programs.forms import (
    ActivityFilterForm,
    ActivityForm,
    BudgetFormSet,
    ContributionFormSet,
    EconomicEffectForm,
    ImportForm,
    ParticipantFormSet,
    ParticipantTotalsForm,
    ResultForm,
    TravellerFormSet,
    TripReportForm,
    formset_rows,
)
from kembar.programs.formsets import ADD_ROW, formset_add_row, without_errors
from kembar.programs.models import Activity, ActivityStatus, EconomicEffect, ImportBatch
from kembar.programs.rules import may_report_for_partnership
from kembar.programs.spreadsheet import activity_template_build

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _activity_or_404(request: StaffRequest, reference: str) -> Activity:
    activity = selectors.activity_detail_get(
        user=request.user, reference=reference, include_public=False
    )
    if activity is None:
        raise Http404
    return activity


def _version(request: StaffRequest, activity: Activity) -> int:
    """The version of the activity that the page was built from (posted back as ``version``).

    Every form under an activity sends it; a POST without it (not from these
    pages) is taken as made on the version just read.
    """
    posted = request.POST.get("version", "")
    return int(posted) if posted.isdigit() else activity.version


def _conflict(error: EditConflict) -> dict[str, Any]:
    return conflict_box(
        error,
        heading=_("Someone else saved this activity while you were working on it"),
        elsewhere=_(
            "Nothing you entered here was changed by them; their change was elsewhere in the "
            "activity (for example its money, participants or results)."
        ),
        display=lambda _name, value: display(value),
    )


def _row_data(
    request: StaffRequest, *formsets: tuple[type[BaseFormSet[Any]], str]
) -> tuple[QueryDict | None, bool]:
    """The POST data, with one more row where the "Add a row" button of a formset was pressed.

    Returns ``(data, adding)``; while adding, the page is shown again, nothing is saved.
    """
    if request.method != "POST":
        return None, False
    pressed = request.POST.get(ADD_ROW, "")
    for formset_class, prefix in formsets:
        if pressed == prefix:
            return formset_add_row(request.POST, formset_class, prefix), True
    return request.POST, False


def _visible_partnerships(request: StaffRequest) -> QuerySet[Partnership]:
    return staff_partnerships(request.user).order_by("partner_name")


def _reportable_partnerships(request: StaffRequest) -> list[Partnership]:
    return [
        partnership
        for partnership in _visible_partnerships(request).select_related("local_region")
        if may_report_for_partnership(request.user, partnership)
    ]


# --- List -------------------------------------------------------------------------------


@require_safe
@staff_view
def activity_list(request: StaffRequest) -> HttpResponse:
    partnerships = _visible_partnerships(request)
    agencies = Organisation.objects.filter(
        pk__in=Activity.objects.filter(partnership__in=partnerships).values("agency")
    ).order_by("name")
    form = ActivityFilterForm(request.GET, partnerships=partnerships, agencies=agencies)
    form.is_valid()
    filters = form.filters()
    activities = selectors.activity_list(user=request.user, filters=filters, include_public=False)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    # Exact totals only where the user sees the breakdown (UU PDP 27/2022).
    rows = participant_totals_listed(request.user, page.object_list)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "hides_counts": any(None in (local, partner) for _activity, local, partner in rows),
        "narrowed": filters.narrowed,
        "can_add": request.user.has_perm("programs.add_activity", None),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "staff/activities/_results.html" if partial else "staff/activities/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Record -----------------------------------------------------------------------------


def _render_detail(
    request: StaffRequest, activity: Activity, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The activity's page; ``forms`` puts a form back with its errors (status 400)."""
    user = request.user
    can_see_trip = user.has_perm("programs.view_tripreport", activity)
    # Partner counterparts see protected tables, not the breakdown (UU PDP 27/2022).
    breakdown = sees_participant_breakdown(user, activity)
    context = {
        "activity": activity,
        "can_see_breakdown": breakdown,
        "participant_summary": None if breakdown else participant_summary(activity, exact=False),
        # Local people of both sources: typed by officers, counted from registrations.
        "local_participants": (
            activity.participants_local + activity.participants_registered if breakdown else None
        ),
        "hidden_actuals": set() if breakdown else hidden_people_actuals(activity),
        "can_change": user.has_perm("programs.change_activity", activity),
        "can_see_trip": can_see_trip,
        "trip": getattr(activity, "trip_report", None) if can_see_trip else None,
        "result_form": forms.get("result_form") or ResultForm(),
        "effect_form": forms.get("effect_form")
        or EconomicEffectForm(
            initial={"year": activity.start_date.year, "sector": activity.sector_id}
        ),
        "needs_trip_report": needs_trip_report(activity),
        "version": forms.get("version") or activity.version,
        "conflict": forms.get("conflict"),
        "capacity_check": (
            activity_capacity_check(activity) if activity.status == ActivityStatus.PLANNED else None
        ),
    }
    return render(request, "staff/activities/detail.html", context, status=status)


@require_safe
@staff_view
def activity_detail(request: StaffRequest, reference: str) -> HttpResponse:
    return _render_detail(request, _activity_or_404(request, reference))


@require_http_methods(["GET", "POST"])
@staff_view
def activity_create(request: StaffRequest) -> HttpResponse:
    _require(request, "programs.add_activity", None)
    choices = _reportable_partnerships(request)
    slug = request.POST.get("partnership_slug") or request.GET.get("partnership", "")
    partnership = next((p for p in choices if p.slug == slug), None)
    if partnership is None:
        return render(request, "staff/activities/choose.html", {"partnerships": choices})
    agencies = selectors.agencies_for(request.user, partnership.local_region_id)
    form = ActivityForm(
        request.POST or None,
        partnership=partnership,
        agencies=agencies,
        initial={"agency": agencies.first().slug if agencies.count() == 1 else None},  # type: ignore[union-attr]
    )
    capacity = capacity_gate(form)
    if request.method == "POST" and form.is_valid():
        try:
            activity, _changed = activity_save(
                actor=request.user, data=form.data_for_service(), create_only=True
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            capacity_notice(request, capacity)
            messages.success(
                request,
                _("Activity %(reference)s saved. Now report its participants.")
                % {"reference": activity.reference},
            )
            return redirect("activities:detail", reference=activity.reference)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "partnership": partnership,
        "activity": None,
        "capacity_check": capacity,
    }
    return render(request, "staff/activities/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def activity_edit(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    agencies = selectors.agencies_for(request.user, activity.partnership.local_region_id)
    form = ActivityForm(
        request.POST or None, partnership=activity.partnership, agencies=agencies, instance=activity
    )
    version, conflict = _version(request, activity), None
    capacity = capacity_gate(form)
    if request.method == "POST" and form.is_valid():
        try:
            _saved, changed = activity_save(
                actor=request.user,
                data=form.data_for_service(),
                expected_version=version,
                given=form.fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as error:
            # The form keeps what the user typed; saving again is made on the version now saved.
            version, conflict = error.current.version, _conflict(error)
            form = ActivityForm(
                request.POST,
                partnership=activity.partnership,
                agencies=agencies,
                instance=error.current,
            )
            form.is_valid()
        else:
            capacity_notice(request, capacity)
            if changed:
                messages.success(request, _("Saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("activities:detail", reference=reference)
    status = 409 if conflict else 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "partnership": activity.partnership,
        "activity": activity,
        "version": version,
        "conflict": conflict,
        "capacity_check": capacity,
    }
    return render(request, "staff/activities/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def activity_delete_view(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.delete_activity", activity)
    if request.method == "POST":
        if request.POST.get("confirm") != activity.reference:
            messages.error(
                request,
                _("Type the reference %(reference)s to confirm.") % {"reference": reference},
            )
        else:
            activity_delete(actor=request.user, activity=activity)
            messages.success(
                request,
                _("Activity %(reference)s deleted; its history is kept in the audit log.")
                % {"reference": reference},
            )
            return redirect("activities:list")
    return render(request, "staff/activities/delete.html", {"activity": activity})


# --- Participants, money, results, trip -------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def activity_participants(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    region_id = activity.partnership.local_region_id
    initial = [
        {
            "side": count.side,
            "group": count.group,
            "gender": count.gender,
            "age_band": count.age_band,
            "home_region": count.home_region_id,
            "count": count.count,
        }
        for count in officer_counts(activity)
    ]
    data, adding = _row_data(request, (ParticipantFormSet, "rows"))
    # The totals start empty: empty means "the sum of the rows", which they are until
    # someone types a total to check the rows against.
    totals = ParticipantTotalsForm(data)
    formset = ParticipantFormSet(
        data,
        initial=initial,
        prefix="rows",
        form_kwargs={"region_id": region_id},
    )
    if adding:
        without_errors(totals, formset)
    errors: list[str] = []
    reconcile = False
    version, conflict = _version(request, activity), None
    if data is not None and not adding and totals.is_valid() and formset.is_valid():
        rows = formset_rows(formset)
        wanted = totals.reconciled(rows, use_breakdown="use_breakdown" in request.POST)
        reconcile = wanted is None
        if wanted is not None:
            try:
                changed = activity_report_participants(
                    actor=request.user,
                    activity=activity,
                    local_total=wanted[0],
                    partner_total=wanted[1],
                    rows=rows,
                    expected_version=version,
                )
            except ValidationError as error:
                errors = [str(message) for message in error.messages]
            except EditConflict as error:
                version, conflict = error.current.version, _conflict(error)
            else:
                messages.success(
                    request, _("Participants saved.") if changed else _("Nothing changed.")
                )
                return redirect("activities:detail", reference=reference)
    status = 409 if conflict else 400 if data is not None and not adding else 200
    context = {
        "activity": activity,
        "totals": totals,
        "formset": formset,
        "errors": errors,
        "reconcile": reconcile,
        "version": version,
        "conflict": conflict,
    }
    return render(request, "staff/activities/participants.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def activity_money(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    data, adding = _row_data(
        request, (BudgetFormSet, "budget"), (ContributionFormSet, "contributions")
    )
    budget = BudgetFormSet(
        data,
        prefix="budget",
        initial=[
            {
                "source": line.source,
                "kind": line.kind,
                "amount": line.amount,
                "currency": line.currency,
                "rate_to_idr": line.rate_to_idr,
                "note": line.note,
            }
            for line in activity.budget_lines.all()
        ],
    )
    contributions = ContributionFormSet(
        data,
        prefix="contributions",
        initial=[
            {
                "side": item.side,
                "form": item.form,
                "description": item.description,
                "value": item.value,
                "currency": item.currency,
                "rate_to_idr": item.rate_to_idr,
            }
            for item in activity.contributions.all()
        ],
    )
    if adding:
        without_errors(budget, contributions)
    errors: list[str] = []
    version, conflict = _version(request, activity), None
    if data is not None and not adding and budget.is_valid() and contributions.is_valid():
        try:
            changed = activity_money_set(
                actor=request.user,
                activity=activity,
                budget=formset_rows(budget),
                contributions=formset_rows(contributions),
                expected_version=version,
            )
        except ValidationError as error:
            errors = [str(message) for message in error.messages]
        except EditConflict as error:
            version, conflict = error.current.version, _conflict(error)
        else:
            messages.success(request, _("Money saved.") if changed else _("Nothing changed."))
            return redirect("activities:detail", reference=reference)
    status = 409 if conflict else 400 if data is not None and not adding else 200
    context = {
        "activity": activity,
        "budget": budget,
        "contributions": contributions,
        "errors": errors,
        "version": version,
        "conflict": conflict,
    }
    return render(request, "staff/activities/money.html", context, status=status)


@require_http_methods(["POST"])
@staff_view
def activity_result_add(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    form = ResultForm(request.POST)
    version = _version(request, activity)
    if form.is_valid():
        try:
            activity_result_record(
                actor=request.user, activity=activity, row=form.row(), expected_version=version
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as error:
            return _render_detail(
                request,
                _activity_or_404(request, reference),
                status=409,
                result_form=form,
                version=error.current.version,
                conflict=_conflict(error),
            )
        else:
            messages.success(request, _("Result recorded."))
            return redirect("activities:detail", reference=reference)
    return _render_detail(request, activity, status=400, result_form=form, version=version)


@require_http_methods(["POST"])
@staff_view
def activity_effects(request: StaffRequest, reference: str) -> HttpResponse:
    """Record an economic effect of the activity, or delete one (``delete=<id>``)."""
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    target = reverse("activities:detail", args=[reference]) + "#economic-effects"
    delete = request.POST.get("delete", "")
    if delete:
        effect = (
            EconomicEffect.objects.filter(activity=activity, pk=int(delete)).first()
            if delete.isdigit()
            else None
        )
        if effect is None:
            raise Http404
        activity_effect_delete(actor=request.user, effect=effect)
        messages.success(
            request, _("Economic effect deleted; its history is kept in the audit log.")
        )
        return redirect(target)
    form = EconomicEffectForm(request.POST)
    if form.is_valid():
        try:
            activity_effect_save(
                actor=request.user, activity=activity, data=form.data_for_service()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Economic effect recorded."))
            return redirect(target)
    return _render_detail(request, activity, status=400, effect_form=form)


@require_http_methods(["GET", "POST"])
@staff_view
def activity_trip_report(request: StaffRequest, reference: str) -> HttpResponse:
    activity = _activity_or_404(request, reference)
    _require(request, "programs.change_activity", activity)
    report = getattr(activity, "trip_report", None)
    data, adding = _row_data(request, (TravellerFormSet, "travellers"))
    form = TripReportForm(
        data,
        initial=(
            {
                "purpose": report.purpose,
                "outputs": report.outputs,
                "days": report.days,
                "cost_idr": report.cost_idr,
            }
            if report
            else None
        ),
    )
    travellers = TravellerFormSet(
        data,
        prefix="travellers",
        initial=(
            [
                {"role": t.role, "organisation": t.organisation, "count": t.count}
                for t in report.travellers.all()
            ]
            if report
            else None
        ),
    )
    if adding:
        without_errors(form, travellers)
    version, conflict = _version(request, activity), None
    if data is not None and not adding and form.is_valid() and travellers.is_valid():
        try:
            trip_report_save(
                actor=request.user,
                activity=activity,
                travellers=formset_rows(travellers),
                expected_version=version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as error:
            version, conflict = error.current.version, _conflict(error)
        else:
            messages.success(request, _("Trip report saved; the council can read it."))
            return redirect("activities:detail", reference=reference)
    status = 409 if conflict else 400 if data is not None and not adding else 200
    context = {
        "activity": activity,
        "form": form,
        "travellers": travellers,
        "version": version,
        "conflict": conflict,
    }
    return render(request, "staff/activities/trip_report.html", context, status=status)


# --- Spreadsheet import -----------------------------------------------------------------


@require_safe
@staff_view
def import_template(request: StaffRequest) -> HttpResponse:
    _require(request, "programs.import_activities", None)
    partnership = None
    if slug := request.GET.get("partnership"):
        partnership = next((p for p in _reportable_partnerships(request) if p.slug == slug), None)
    content = activity_template_build(user=request.user, partnership=partnership)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="kembar-kegiatan.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@staff_view
def import_upload(request: StaffRequest) -> HttpResponse:
    """Take the upload and hand it to a background job; its page shows progress and result."""
    _require(request, "programs.import_activities", None)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # A file over the limit is not read (kembar.common.uploads stopped it); the job
        # refuses it and logs it with its size.
        too_large = (upload.size or 0) > settings.KEMBAR_MAX_UPLOAD_BYTES
        job = job_enqueue(
            kind=JobKind.ACTIVITY_IMPORT,
            created_by=request.user,
            params={
                "apply_valid": form.cleaned_data["apply_valid"],
                "size": upload.size if too_large else None,
                "language": get_language() or settings.LANGUAGE_CODE,
            },
            input_data=b"" if too_large else upload.read(),
            input_name=upload.name or "",
        )
        return redirect("jobs:detail", job_id=job.pk)
    batches = ImportBatch.objects.filter(uploaded_by=request.user)[:10]
    waiting = jobs_of_user(user=request.user, kind=JobKind.ACTIVITY_IMPORT, unfinished=True)[:10]
    context = {"form": form, "batches": batches, "waiting": waiting}
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/activities/import.html", context, status=status)


@require_safe
@staff_view
def import_rejected(request: StaffRequest, pk: int) -> HttpResponse:
    batch = ImportBatch.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None or not batch.rejected_file:
        raise Http404
    response = HttpResponse(bytes(batch.rejected_file), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kembar-perbaiki-{pk}.xlsx"'
    return response
