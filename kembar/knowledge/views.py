"""Staff pages of knowledge: lessons, practices, policies, reflections and follow-ups.

Each view declares its permission (``staff_view`` and a rule of
:mod:`kembar.knowledge.rules`), parses its input with a form, calls one
service or selector and renders.  Records a user may not see are 404,
changes a user may see but not make are 403; a service's refusal is shown
on the form again with status 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.accounts.regions import user_region
from kembar.common.staff_views import apply_errors, require
from kembar.knowledge import matching, selectors, services
from kembar.knowledge.forms import (
    AdvanceForm,
    ApplyForm,
    DropForm,
    LessonFilterForm,
    LessonForm,
    PolicyForm,
    PracticeForm,
    ReflectionForm,
    ReflectionReviewForm,
)
from kembar.knowledge.models import (
    FollowUp,
    FollowUpStage,
    Lesson,
    Policy,
    Practice,
    PracticeDirection,
    Reflection,
)
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.views import StaffRequest, staff_view
from kembar.programs import selectors as activity_selectors

PAGE_SIZE = 25


def _choices(request: StaffRequest, region_id: str) -> dict[str, Any]:
    partnerships = staff_partnerships(request.user).filter(local_region_id=region_id)
    return {
        "agencies": activity_selectors.agencies_for(request.user, region_id),
        "partnerships": partnerships.order_by("partner_name"),
        "activities": selectors.activities_for(request.user).filter(
            partnership__local_region_id=region_id
        ),
    }


def _may_add(request: StaffRequest) -> bool:
    """Whether the user may write new records for their region (the rule takes a region code)."""
    region_id = selectors.home_region_id(request.user)
    return bool(request.user.has_perm("knowledge.add_record", region_id))  # type: ignore[arg-type]


def _lesson_or_404(request: StaffRequest, pk: int) -> Lesson:
    lesson = selectors.lesson_get(user=request.user, pk=pk)
    if lesson is None:
        raise Http404
    return lesson


def _refused(request: StaffRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Lessons ----------------------------------------------------------------------------


@require_safe
@staff_view
def lesson_list(request: StaffRequest) -> HttpResponse:
    require(request, "knowledge.view_record", None)
    form = LessonFilterForm(request.GET, cities=selectors.lesson_partner_cities(request.user))
    form.is_valid()
    filters = form.filters()
    lessons = selectors.lesson_list(user=request.user, filters=filters)
    context = {
        "form": form,
        "page": Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page")),
        "narrowed": filters.narrowed,
        "can_add": _may_add(request),
        "waiting": selectors.reflection_queue(user=request.user).count(),
    }
    return render(request, "staff/knowledge/lesson_list.html", context)


@require_safe
@staff_view
def lesson_detail(request: StaffRequest, lesson: int) -> HttpResponse:
    record = _lesson_or_404(request, lesson)
    follow_ups = list(record.follow_ups.all())
    open_follow_up = next((item for item in follow_ups if item.is_open), None)
    context = {
        "lesson": record,
        "follow_ups": follow_ups,
        "open_follow_up": open_follow_up,
        "next_stage": (
            FollowUpStage(services.next_stage(open_follow_up.stage)) if open_follow_up else None
        ),
        "can_change": request.user.has_perm("knowledge.change_lesson", record),
        "can_review": request.user.has_perm("knowledge.review_record", record),
        "apply_form": ApplyForm(),
        "advance_form": AdvanceForm(),
        "drop_form": DropForm(),
    }
    return render(request, "staff/knowledge/lesson_detail.html", context)


def _lesson_form_page(request: StaffRequest, record: Lesson | None, region_id: str) -> HttpResponse:
    initial = LessonForm.initial_of(record) if record else {}
    form = LessonForm(request.POST or None, initial=initial, **_choices(request, region_id))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.lesson_save(
                actor=request.user, data=form.cleaned_data, region_id=region_id, lesson=record
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge:lesson-detail", lesson=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "lesson": record}
    return render(request, "staff/knowledge/lesson_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def lesson_create(request: StaffRequest) -> HttpResponse:
    region_id = selectors.writing_region(request.user)
    require(request, "knowledge.add_record", region_id)
    return _lesson_form_page(request, None, region_id)


@require_http_methods(["GET", "POST"])
@staff_view
def lesson_edit(request: StaffRequest, lesson: int) -> HttpResponse:
    record = _lesson_or_404(request, lesson)
    require(request, "knowledge.change_lesson", record)
    return _lesson_form_page(request, record, record.region_id)


@require_POST
@staff_view
def lesson_review(request: StaffRequest, lesson: int) -> HttpResponse:
    record = _lesson_or_404(request, lesson)
    require(request, "knowledge.review_record", record)
    try:
        services.lesson_review(actor=request.user, lesson=record)
    except ValidationError as error:
        _refused(request, error)
    return redirect("knowledge:lesson-detail", lesson=record.pk)


@require_POST
@staff_view
def lesson_apply(request: StaffRequest, lesson: int) -> HttpResponse:
    record = _lesson_or_404(request, lesson)
    require(request, "knowledge.change_lesson", record)
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        services.lesson_apply(
            actor=request.user, lesson=record, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        _refused(request, error)
    return redirect("knowledge:lesson-detail", lesson=record.pk)


def _follow_up_or_404(request: StaffRequest, pk: int) -> FollowUp:
    follow_up = FollowUp.objects.filter(pk=pk).first()
    if follow_up is None or selectors.lesson_get(user=request.user, pk=follow_up.lesson_id) is None:
        raise Http404
    require(request, "knowledge.change_lesson", follow_up.lesson)
    return follow_up


@require_POST
@staff_view
def followup_advance(request: StaffRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        services.followup_advance(
            actor=request.user,
            follow_up=follow_up,
            stage=form.cleaned_data["stage"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        _refused(request, error)
    return redirect("knowledge:lesson-detail", lesson=follow_up.lesson_id)


@require_POST
@staff_view
def followup_drop(request: StaffRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    form = DropForm(request.POST)
    form.is_valid()
    try:
        services.followup_drop(
            actor=request.user, follow_up=follow_up, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        _refused(request, error)
    return redirect("knowledge:lesson-detail", lesson=follow_up.lesson_id)


# --- Practices --------------------------------------------------------------------------


@require_safe
@staff_view
def practice_list(request: StaffRequest) -> HttpResponse:
    require(request, "knowledge.view_record", None)
    practices = selectors.practice_list(user=request.user)
    context = {
        "page": Paginator(practices, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": _may_add(request),
    }
    return render(request, "staff/knowledge/practice_list.html", context)


def _other_city(request: StaffRequest) -> int | None:
    """The city named by ``?city=`` (or the posted choice), offered besides the partner cities."""
    wanted = request.POST.get("partner_city") or request.GET.get("city", "")
    if wanted.isdigit() and len(wanted) <= 18:
        return int(wanted)
    return None


def _practice_form_page(
    request: StaffRequest, record: Practice | None, region_id: str
) -> HttpResponse:
    other = _other_city(request)
    if record is not None and other is None:
        other = record.partner_city_id
    initial: dict[str, Any] = PracticeForm.initial_of(record) if record is not None else {}
    if record is None and request.method != "POST" and other is not None:
        # Recording what a city of the network page offers.
        initial = {"partner_city": other, "direction": PracticeDirection.OFFERED}
    form = PracticeForm(
        request.POST or None, initial=initial, other_city=other, **_choices(request, region_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_save(
                actor=request.user,
                data=form.cleaned_data,
                region_id=region_id,
                practice=record,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge:practice-list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "practice": record}
    return render(request, "staff/knowledge/practice_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def practice_create(request: StaffRequest) -> HttpResponse:
    region_id = selectors.writing_region(request.user)
    require(request, "knowledge.add_record", region_id)
    return _practice_form_page(request, None, region_id)


@require_http_methods(["GET", "POST"])
@staff_view
def practice_edit(request: StaffRequest, practice: int) -> HttpResponse:
    record = selectors.practice_list(user=request.user).filter(pk=practice).first()
    if record is None:
        raise Http404
    require(request, "knowledge.change_practice", record)
    return _practice_form_page(request, record, record.region_id)


@require_safe
@staff_view
def practice_matches(request: StaffRequest) -> HttpResponse:
    """What our city seeks, matched with what partner cities and other cities offer."""
    require(request, "knowledge.view_record", None)
    region_id = user_region(request.user)
    needs = matching.region_matches(region_id)
    context = {
        "needs": needs,
        "can_add": _may_add(request),
        "network_city": matching.matches_network_city(region_id, needs),
    }
    return render(request, "staff/knowledge/practice_matches.html", context)


# --- Policies ---------------------------------------------------------------------------


def _policy_or_404(request: StaffRequest, pk: int) -> Policy:
    policy = selectors.policy_get(user=request.user, pk=pk)
    if policy is None:
        raise Http404
    return policy


@require_safe
@staff_view
def policy_list(request: StaffRequest) -> HttpResponse:
    require(request, "knowledge.view_record", None)
    policies = selectors.policy_list(user=request.user)
    context = {
        "page": Paginator(policies, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": _may_add(request),
    }
    return render(request, "staff/knowledge/policy_list.html", context)


@require_safe
@staff_view
def policy_detail(request: StaffRequest, policy: int) -> HttpResponse:
    record = _policy_or_404(request, policy)
    context = {
        "policy": record,
        "can_review": request.user.has_perm("knowledge.review_record", record),
    }
    return render(request, "staff/knowledge/policy_detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def policy_create(request: StaffRequest) -> HttpResponse:
    region_id = selectors.writing_region(request.user)
    require(request, "knowledge.add_record", region_id)
    follow_up = None
    wanted = request.POST.get("follow_up") or request.GET.get("follow_up", "")
    if wanted.isdigit():
        follow_up = _follow_up_or_404(request, int(wanted))
    form = PolicyForm(request.POST or None, request.FILES or None, **_choices(request, region_id))
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_adopt(
                actor=request.user,
                region_id=region_id,
                data=form.cleaned_data,
                upload=form.cleaned_data.get("evidence_file"),
                follow_up=follow_up,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge:policy-detail", policy=policy.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "follow_up": follow_up}
    return render(request, "staff/knowledge/policy_edit.html", context, status=status)


@require_POST
@staff_view
def policy_publish(request: StaffRequest, policy: int) -> HttpResponse:
    record = _policy_or_404(request, policy)
    require(request, "knowledge.review_record", record)
    services.policy_publish(
        actor=request.user, policy=record, public=request.POST.get("public") == "1"
    )
    return redirect("knowledge:policy-detail", policy=record.pk)


@require_safe
@staff_view
def policy_evidence(request: StaffRequest, policy: int) -> FileResponse:
    record = _policy_or_404(request, policy)
    require(request, "knowledge.view_record", record)
    if not record.evidence_file:
        raise Http404
    try:
        handle = record.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = record.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


# --- Reflections ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def reflection_form(request: StaffRequest, reference: str) -> HttpResponse:
    activity = activity_selectors.activity_detail_get(
        user=request.user, reference=reference, include_public=False
    )
    if activity is None:
        raise Http404
    require(request, "knowledge.add_reflection", activity)
    reflection = Reflection.objects.filter(activity=activity).first()
    initial = {}
    if reflection is not None:
        initial = {
            name: getattr(reflection, name)
            for name in ("learned", "will_change", "who_should_know", "language")
        }
    form = ReflectionForm(request.POST or None, initial=initial)
    closed = not services.reflection_writable(activity, reflection)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_submit(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:detail", reference=activity.reference)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "activity": activity, "reflection": reflection, "closed": closed}
    return render(request, "staff/knowledge/reflection_form.html", context, status=status)


@require_safe
@staff_view
def reflection_queue(request: StaffRequest) -> HttpResponse:
    require(request, "knowledge.review_reflection", None)
    rows = [
        (reflection, ReflectionReviewForm(prefix=f"r{reflection.pk}"))
        for reflection in selectors.reflection_queue(user=request.user)
    ]
    return render(request, "staff/knowledge/reflection_queue.html", {"rows": rows})


@require_POST
@staff_view
def reflection_review(request: StaffRequest, pk: int) -> HttpResponse:
    reflection = selectors.reflection_queue(user=request.user).filter(pk=pk).first()
    if reflection is None:
        raise Http404
    require(request, "knowledge.review_reflection", reflection)
    form = ReflectionReviewForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        lesson = services.reflection_review(
            actor=request.user,
            reflection=reflection,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect("knowledge:reflection-queue")
    if lesson is not None:
        return redirect("knowledge:lesson-detail", lesson=lesson.pk)
    return redirect("knowledge:reflection-queue")
