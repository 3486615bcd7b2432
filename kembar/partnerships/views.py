"""The staff area: partnerships, their lifecycle and documents, and inbound requests.

Each view checks the permission, parses its input with a form, calls one
service or selector and renders.  Objects a user may not even see are 404,
actions a user may see but not take are 403; actions are POST only and
redirect back with a message (post/redirect/get) unless a form must be shown
again with its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from kembar.accounts.models import User
from kembar.common.staff_views import apply_errors as _apply_errors
from kembar.common.staff_views import require as _require
from kembar.common.versioning import conflict_box, display
from kembar.insights.health_sections import health_section
from kembar.knowledge.selectors import partnership_policies
from kembar.partnerships import selectors
from kembar.partnerships.conditions import diplomatic_condition_initial
from kembar.partnerships.documents import (
    DocumentRejected,
    partnership_agreement_status,
    partnership_document_upload,
)
from kembar.partnerships.forms import (
    ConditionsForm,
    CooperationPlanForm,
    DecisionForm,
    DeclineForm,
    DocumentUploadForm,
    InboundRequestFilterForm,
    InboundRequestForm,
    PartnershipEditForm,
    PartnershipFilterForm,
    TransitionForm,
    display_value,
)
from kembar.partnerships.lifecycle import (
    TransitionRefused,
    partnership_transition,
    partnership_transition_approve,
    partnership_transition_reject,
    transition_options,
)
from kembar.partnerships.models import (
    Condition,
    CooperationPlan,
    InboundRequest,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.services import (
    EditConflict,
    conditions_seen,
    cooperation_plan_save,
    inbound_request_accept,
    inbound_request_create,
    inbound_request_decline,
    inbound_request_review,
    partnership_conditions_record,
    partnership_confirm,
    partnership_update,
)

PAGE_SIZE = 25

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request in the staff area: signed in (the decorators see to it), with htmx details."""

    user: User
    htmx: HtmxDetails


def staff_view(view: View) -> View:
    """Signed-in users of the staff area only: anonymous → login page, others → 403."""
    return login_required(
        permission_required("accounts.access_staff_area", raise_exception=True)(view)
    )


def _partnership_or_404(request: StaffRequest, slug: str) -> Partnership:
    partnership = selectors.staff_partnership_get(user=request.user, slug=slug)
    if partnership is None or not request.user.has_perm(
        "partnerships.view_partnership", partnership
    ):
        raise Http404
    return partnership


def _refused(request: StaffRequest, refusal: TransitionRefused) -> None:
    for reason in refusal.reasons:
        messages.error(request, reason)


def _validation_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Partnerships: list ---------------------------------------------------------------------


@require_safe
@staff_view
def partnership_list(request: StaffRequest) -> HttpResponse:
    """The partnerships the user may see; the results alone when htmx asks for them."""
    countries = selectors.staff_partnership_countries(user=request.user)
    form = PartnershipFilterForm(request.GET, countries=countries)
    form.is_valid()
    filters = form.filters()
    partnerships = selectors.staff_partnership_list(user=request.user, filters=filters)
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "narrowed": filters.narrowed}
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "staff/partnerships/_results.html" if partial else "staff/partnerships/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Partnerships: detail and the forms on it ---------------------------------------------


def _render_detail(
    request: StaffRequest, partnership: Partnership, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    can_change = user.has_perm("partnerships.change_partnership", partnership)
    can_upload = user.has_perm("partnerships.add_partnershipdocument", partnership)
    can_transition = user.has_perm("partnerships.transition_partnership", partnership)
    plan = CooperationPlan.objects.filter(partnership=partnership).first()
    checks = {check.condition: (check.met, check.note) for check in partnership.conditions.all()}
    if Condition.DIPLOMATIC_RELATIONS not in checks:
        initial = diplomatic_condition_initial(partnership)
        if initial is not None:
            checks[Condition.DIPLOMATIC_RELATIONS] = initial
    context = {
        "partnership": partnership,
        "agreement": partnership_agreement_status(partnership, today=timezone.localdate()),
        "deadline": selectors.partnership_stage_deadline(partnership, today=timezone.localdate()),
        "timeline": selectors.partnership_timeline(partnership),
        "health": health_section(partnership, user=user),
        "documents": selectors.partnership_documents(partnership),
        "policies": partnership_policies(user=user, partnership=partnership),
        "can_download": user.has_perm("partnerships.view_partnershipdocument", partnership),
        "can_change": can_change,
        "can_confirm": can_change and partnership.is_unverified,
        "can_upload": can_upload,
        "options": (
            transition_options(partnership=partnership, user=user) if can_transition else []
        ),
        "pending": selectors.partnership_pending_decisions(partnership, user=user),
        "decision_form": DecisionForm(),
        "plan_missing": _plan_missing_labels(plan) if plan else None,
        "upload_form": forms.get("upload_form") or (DocumentUploadForm() if can_upload else None),
        "conditions_conflict": forms.get("conditions_conflict"),
        "conditions_form": forms.get("conditions_form")
        or (
            ConditionsForm(checks=checks, seen=conditions_seen(partnership)) if can_change else None
        ),
        "plan_conflict": forms.get("plan_conflict"),
        "plan_form": forms.get("plan_form")
        or (
            CooperationPlanForm(instance=plan or CooperationPlan(partnership=partnership))
            if can_change
            else None
        ),
    }
    return render(request, "staff/partnerships/detail.html", context, status=status)


def _plan_missing_labels(plan: CooperationPlan) -> list[str]:
    return [
        _("implementation period")
        if name == "period"
        else str(getattr(CooperationPlan._meta.get_field(name), "verbose_name", name))
        for name in plan.missing_contents()
    ]


@require_safe
@staff_view
def partnership_detail(request: StaffRequest, slug: str) -> HttpResponse:
    return _render_detail(request, _partnership_or_404(request, slug))


@require_POST
@staff_view
def partnership_transition_view(request: StaffRequest, slug: str) -> HttpResponse:
    partnership = _partnership_or_404(request, slug)
    _require(request, "partnerships.transition_partnership", partnership)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage to move to."))
        return redirect("staff:partnership-detail", slug=slug)
    try:
        record = partnership_transition(
            partnership=partnership,
            target=form.cleaned_data["target"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except TransitionRefused as refusal:
        _refused(request, refusal)
    else:
        if record.status == TransitionRecord.Status.APPLIED:
            messages.success(
                request, _("The partnership moved to %(state)s.") % {"state": record.target.name}
            )
        else:
            messages.success(
                request,
                _("The move to %(state)s now awaits approval by a second person.")
                % {"state": record.target.name},
            )
    return redirect("staff:partnership-detail", slug=slug)


@require_POST
@staff_view
def partnership_confirm_view(request: StaffRequest, slug: str) -> HttpResponse:
    """A cooperation officer of the region confirms a partnership from the world twin-town list."""
    partnership = _partnership_or_404(request, slug)
    # partnerships.change_partnership is kembar.accounts.rules.can_act_on_region on the region.
    _require(request, "partnerships.change_partnership", partnership)
    try:
        partnership_confirm(actor=request.user, partnership=partnership)
    except ValidationError as error:
        for message in _validation_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The partnership is confirmed by the region."))
    return redirect("staff:partnership-detail", slug=slug)


def _pending_record_or_404(request: StaffRequest, pk: int) -> TransitionRecord:
    record = TransitionRecord.objects.select_related("partnership", "target").filter(pk=pk).first()
    if record is None or not request.user.has_perm(
        "partnerships.view_partnership", record.partnership
    ):
        raise Http404
    return record


@require_POST
@staff_view
def transition_approve(request: StaffRequest, pk: int) -> HttpResponse:
    record = _pending_record_or_404(request, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        partnership_transition_approve(record=record, approver=request.user, note=note)
    except TransitionRefused as refusal:
        _refused(request, refusal)
    else:
        messages.success(
            request,
            _("Approved: the partnership moved to %(state)s.") % {"state": record.target.name},
        )
    return _after_decision(request, record)


@require_POST
@staff_view
def transition_reject(request: StaffRequest, pk: int) -> HttpResponse:
    record = _pending_record_or_404(request, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        partnership_transition_reject(record=record, approver=request.user, note=note)
    except TransitionRefused as refusal:
        _refused(request, refusal)
    else:
        messages.success(
            request,
            _("Rejected: the partnership stays at %(state)s.")
            % {"state": record.partnership.state.name if record.partnership.state else "—"},
        )
    return _after_decision(request, record)


def _after_decision(request: StaffRequest, record: TransitionRecord) -> HttpResponse:
    """Back to the approvals list when the decision was made there, else to the partnership."""
    if request.POST.get("next") == "approvals":
        return redirect("staff:approvals")
    return redirect("staff:partnership-detail", slug=record.partnership.slug)


@require_safe
@staff_view
def approval_list(request: StaffRequest) -> HttpResponse:
    """The moves awaiting the user's decision, across every partnership they may see."""
    context = {
        "records": selectors.awaiting_decision(user=request.user),
        "decision_form": DecisionForm(),
    }
    return render(request, "staff/approvals/list.html", context)


@require_POST
@staff_view
def document_upload(request: StaffRequest, slug: str) -> HttpResponse:
    partnership = _partnership_or_404(request, slug)
    _require(request, "partnerships.add_partnershipdocument", partnership)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = partnership_document_upload(
                partnership=partnership,
                kind=data["kind"].code,
                title=data["title"],
                language=data["language"],
                upload=data["file"],
                uploader=request.user,
                signed_on=data["signed_on"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except DocumentRejected as rejection:
            # The reasons may concern the file, the dates or the title together.
            for message in rejection.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Uploaded %(title)s (version %(version)s).")
                % {"title": document.title, "version": document.version},
            )
            return redirect("staff:partnership-detail", slug=slug)
    return _render_detail(request, partnership, status=400, upload_form=form)


@require_safe
@staff_view
def document_download(request: StaffRequest, pk: int) -> FileResponse:
    document = PartnershipDocument.objects.select_related("partnership").filter(pk=pk).first()
    if document is None or not request.user.has_perm(
        "partnerships.view_partnership", document.partnership
    ):
        raise Http404
    _require(request, "partnerships.view_partnershipdocument", document.partnership)
    if not document.file:  # an agreement known only from public sources has no copy
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


@require_POST
@staff_view
def partnership_conditions(request: StaffRequest, slug: str) -> HttpResponse:
    partnership = _partnership_or_404(request, slug)
    _require(request, "partnerships.change_partnership", partnership)
    form = ConditionsForm(request.POST, checks={})
    if form.is_valid():
        try:
            partnership_conditions_record(
                partnership=partnership,
                actor=request.user,
                results=form.results(),
                seen=form.cleaned_data["seen"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as error:
            # The form keeps what the user typed; saving again is made on the state now saved.
            data = request.POST.copy()
            data["seen"] = str(conditions_seen(partnership))
            form = ConditionsForm(data, checks={})
            form.is_valid()
            conflict = conflict_box(
                error,
                heading=_("Someone else saved the conditions checklist while you were editing"),
                elsewhere="",
                display=lambda _name, value: display(value),
            )
            return _render_detail(
                request,
                partnership,
                status=409,
                conditions_form=form,
                conditions_conflict=conflict,
            )
        else:
            messages.success(request, _("The conditions checklist is saved."))
            return redirect("staff:partnership-detail", slug=slug)
    return _render_detail(request, partnership, status=400, conditions_form=form)


@require_POST
@staff_view
def partnership_plan(request: StaffRequest, slug: str) -> HttpResponse:
    partnership = _partnership_or_404(request, slug)
    _require(request, "partnerships.change_partnership", partnership)
    plan = CooperationPlan.objects.filter(partnership=partnership).first()
    form = CooperationPlanForm(
        request.POST, instance=plan or CooperationPlan(partnership=partnership)
    )
    if form.is_valid():
        try:
            cooperation_plan_save(
                partnership=partnership,
                actor=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as error:
            # The form keeps what the user typed; saving again is made on the version now saved.
            data = request.POST.copy()
            data["version"] = str(error.current.version)
            form = CooperationPlanForm(data, instance=error.current)
            form.is_valid()
            conflict = conflict_box(
                error,
                heading=_("Someone else saved the cooperation plan while you were editing"),
                elsewhere="",
                display=lambda _name, value: display(value),
            )
            return _render_detail(
                request, partnership, status=409, plan_form=form, plan_conflict=conflict
            )
        else:
            messages.success(request, _("The cooperation plan is saved."))
            return redirect("staff:partnership-detail", slug=slug)
    return _render_detail(request, partnership, status=400, plan_form=form)


# --- Partnerships: edit -------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def partnership_edit(request: StaffRequest, slug: str) -> HttpResponse:
    """Edit with a version guard: a conflicting save shows both sides and keeps the user's input."""
    partnership = _partnership_or_404(request, slug)
    _require(request, "partnerships.change_partnership", partnership)
    conflict = None
    status = 200
    if request.method == "POST":
        form = PartnershipEditForm(request.POST, instance=partnership)
        if form.is_valid():
            try:
                partnership_update(
                    partnership=partnership,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    data=form.service_data(),
                )
            except EditConflict as error:
                conflict = conflict_box(
                    error,
                    heading=_("Someone else saved this partnership while you were editing"),
                    elsewhere=_(
                        "None of the fields you edit differ; the change was elsewhere "
                        "(for example the stage or the focus areas)."
                    ),
                    display=display_value,
                )
                data = request.POST.copy()
                data["version"] = str(error.current.version)
                form = PartnershipEditForm(data, instance=error.current)
                form.is_valid()
                status = 409
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The partnership is saved."))
                return redirect("staff:partnership-detail", slug=slug)
        else:
            status = 400
    else:
        form = PartnershipEditForm(instance=partnership)
    return render(
        request,
        "staff/partnerships/edit.html",
        {"partnership": partnership, "form": form, "conflict": conflict},
        status=status,
    )


# --- Inbound requests -----------------------------------------------------------------------


def _requests_view(view: View) -> View:
    return staff_view(
        permission_required("partnerships.view_inboundrequest", raise_exception=True)(view)
    )


def _request_or_404(request: StaffRequest, pk: int) -> InboundRequest:
    inbound = selectors.inbound_request_visible_get(user=request.user, pk=pk)
    if inbound is None or not request.user.has_perm("partnerships.view_inboundrequest", inbound):
        raise Http404
    return inbound


@require_safe
@_requests_view
def request_list(request: StaffRequest) -> HttpResponse:
    form = InboundRequestFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    requests: QuerySet[InboundRequest] = selectors.inbound_request_list(
        user=request.user, status=status
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/requests/list.html",
        {
            "form": form,
            "page": page,
            "can_add": request.user.has_perm("partnerships.add_inboundrequest"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@_requests_view
def request_create(request: StaffRequest) -> HttpResponse:
    _require(request, "partnerships.add_inboundrequest", None)
    if request.method == "POST":
        form = InboundRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                inbound = inbound_request_create(actor=request.user, data=form.service_data())
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("staff:request-detail", pk=inbound.pk)
        status = 400
    else:
        form = InboundRequestForm(user=request.user, initial={"received_on": timezone.localdate()})
        status = 200
    return render(request, "staff/requests/create.html", {"form": form}, status=status)


def _render_request(
    request: StaffRequest,
    inbound: InboundRequest,
    *,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    undecided = inbound.status in {InboundRequest.Status.RECEIVED, InboundRequest.Status.IN_REVIEW}
    can_change = request.user.has_perm("partnerships.change_inboundrequest", inbound)
    return render(
        request,
        "staff/requests/detail.html",
        {
            "inbound": inbound,
            "can_act": undecided and can_change,
            "can_review": can_change and inbound.status == InboundRequest.Status.RECEIVED,
            "decline_form": decline_form or DeclineForm(),
        },
        status=status,
    )


@require_safe
@_requests_view
def request_detail(request: StaffRequest, pk: int) -> HttpResponse:
    return _render_request(request, _request_or_404(request, pk))


def _decided(request: StaffRequest, error: ValidationError) -> None:
    for message in _validation_messages(error):
        messages.error(request, message)


@require_POST
@_requests_view
def request_review(request: StaffRequest, pk: int) -> HttpResponse:
    inbound = _request_or_404(request, pk)
    _require(request, "partnerships.change_inboundrequest", inbound)
    try:
        inbound_request_review(request=inbound, actor=request.user)
    except ValidationError as error:
        _decided(request, error)
    else:
        messages.success(request, _("The request is now in review."))
    return redirect("staff:request-detail", pk=pk)


@require_POST
@_requests_view
def request_accept(request: StaffRequest, pk: int) -> HttpResponse:
    inbound = _request_or_404(request, pk)
    _require(request, "partnerships.change_inboundrequest", inbound)
    try:
        partnership = inbound_request_accept(request=inbound, actor=request.user)
    except ValidationError as error:
        _decided(request, error)
    else:
        messages.success(
            request,
            _("Accepted: the partnership %(name)s is open at the exploration stage.")
            % {"name": partnership.partner_name},
        )
    return redirect("staff:request-detail", pk=pk)


@require_POST
@_requests_view
def request_decline(request: StaffRequest, pk: int) -> HttpResponse:
    inbound = _request_or_404(request, pk)
    _require(request, "partnerships.change_inboundrequest", inbound)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render_request(request, inbound, decline_form=form, status=400)
    try:
        inbound_request_decline(
            request=inbound, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _decided(request, error)
    else:
        messages.success(request, _("The request is declined."))
    return redirect("staff:request-detail", pk=pk)
