"""Writes of knowledge records and of the learning cycle.

Each service checks the permission (:mod:`kembar.knowledge.rules`), validates,
runs in one transaction and leaves a history record naming the actor.
Refusals are :class:`~django.core.exceptions.ValidationError` with messages
in the active language, by field where a form has the field.

The cycle::

    activity completed → reflection_submit → reflection_review
        ├─ returned (with a note) → reflection_submit again
        └─ accepted → Lesson (reviewed) → lesson_apply → FollowUp (plan)
              followup_advance: plan → act → observe → reflect → plan (next round) …
              ├─ policy_adopt(follow_up=…) → adopted (the policy names the lesson)
              └─ followup_drop(reason) → dropped
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.knowledge.models import (
    OPEN_STAGES,
    FollowUp,
    FollowUpStage,
    FollowUpStep,
    Language,
    Lesson,
    LessonStatus,
    Policy,
    Practice,
    Reflection,
    ReflectionStatus,
)
from kembar.partnerships.documents import DocumentRejected, pdf_check
from kembar.programs.checks import stamp
from kembar.programs.models import Activity, ActivityStatus, TripReport

__all__ = [
    "followup_advance",
    "followup_drop",
    "lesson_apply",
    "lesson_review",
    "lesson_save",
    "next_stage",
    "policy_adopt",
    "policy_publish",
    "practice_save",
    "reflection_review",
    "reflection_submit",
    "reflection_writable",
]

#: Fields of a lesson, a practice and a policy that the services set from ``data``.
LESSON_FIELDS = (
    "agency",
    "title_id",
    "title_en",
    "context_id",
    "context_en",
    "partner_practice_id",
    "partner_practice_en",
    "what_we_tried_id",
    "what_we_tried_en",
    "what_happened_id",
    "what_happened_en",
    "evidence",
    "evidence_url",
    "sector",
    "government_affair",
    "partner_city",
    "partnership",
    "source_activity",
)
PRACTICE_FIELDS = (
    "direction",
    "partner_city",
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "sector",
    "government_affair",
    "contact_agency",
)
POLICY_FIELDS = (
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "instrument",
    "number",
    "adopted_on",
    "agency",
    "evidence_url",
    "partnership",
)


def _require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


def _check_region(data: dict[str, Any], region_id: str) -> None:
    """The agency, partnership and source activity all belong to the record's region."""
    for field in ("agency", "contact_agency"):
        body = data.get(field)
        if body is not None and body.home_region_id != region_id:
            raise _refuse(_("Choose an agency of your own region."), field)
    partnership = data.get("partnership")
    if partnership is not None and partnership.local_region_id != region_id:
        raise _refuse(_("Choose a partnership of your own region."), "partnership")
    activity = data.get("source_activity")
    if activity is not None and activity.partnership.local_region_id != region_id:
        raise _refuse(_("Choose an activity of your own region."), "source_activity")


def _assign(record: Any, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in data:
            setattr(record, field, data[field])


# --- Reflections ------------------------------------------------------------------------


def reflection_writable(activity: Activity, reflection: Reflection | None) -> bool:
    """Whether the reflection on ``activity`` can (still) be written: the activity is
    completed and its reflection, if any, not accepted yet."""
    return activity.status == ActivityStatus.COMPLETED and (
        reflection is None or reflection.status != ReflectionStatus.ACCEPTED
    )


def reflection_submit(
    *,
    actor: Any,
    activity: Activity,
    learned: str,
    will_change: str,
    who_should_know: str = "",
    language: str = Language.INDONESIAN,
) -> Reflection:
    """Write (or rewrite, after it was returned) the reflection on a completed activity."""
    _require(actor, "knowledge.add_reflection", activity)
    if activity.status != ActivityStatus.COMPLETED:
        raise _refuse(_("Only a completed activity asks for a reflection."))
    if not learned.strip():
        raise _refuse(_("Say what you learned."), "learned")
    if not will_change.strip():
        raise _refuse(_("Say what you will change."), "will_change")
    with transaction.atomic():
        reflection = Reflection.objects.select_for_update().filter(
            activity=activity
        ).first() or Reflection(activity=activity, author=actor)
        if reflection.status == ReflectionStatus.ACCEPTED:
            raise _refuse(_("This reflection has been accepted; it can no longer be changed."))
        reflection.learned = learned.strip()
        reflection.will_change = will_change.strip()
        reflection.who_should_know = who_should_know.strip()
        reflection.language = language
        reflection.status = ReflectionStatus.SUBMITTED
        stamp(reflection, actor, "submitted")
        reflection.save()
    return reflection


def _lesson_from(reflection: Reflection, actor: Any, title: str) -> Lesson:
    activity = reflection.activity
    partnership = activity.partnership
    suffix = reflection.language
    lesson = Lesson(
        region_id=partnership.local_region_id,
        agency=activity.agency,
        title_id=title or activity.title_id,
        title_en=activity.title_en,
        sector=activity.sector,
        government_affair=activity.government_affair,
        partner_city=partnership.partner_city,
        partnership=partnership,
        source_activity=activity,
        trip_report=TripReport.objects.filter(activity=activity).first(),
        reflection=reflection,
        status=LessonStatus.REVIEWED,
        created_by=actor,
    )
    setattr(lesson, f"context_{suffix}", getattr(activity, f"description_{suffix}"))
    setattr(lesson, f"what_happened_{suffix}", reflection.learned)
    stamp(lesson, actor, "accepted from a reflection")
    lesson.save()
    lesson.sdg_targets.set(activity.sdg_targets.all())
    return lesson


def reflection_review(
    *, actor: Any, reflection: Reflection, accept: bool, note: str = "", title: str = ""
) -> Lesson | None:
    """Accept a submitted reflection (it becomes a reviewed lesson) or return it with a note.

    ``title`` is the lesson's Indonesian title (default: the activity's).
    Returns the lesson made, or ``None`` when returned.
    """
    _require(actor, "knowledge.review_reflection", reflection)
    with transaction.atomic():
        locked = Reflection.objects.select_for_update().get(pk=reflection.pk)
        if locked.status != ReflectionStatus.SUBMITTED:
            raise _refuse(_("Only a submitted reflection can be reviewed."))
        if not accept and not note.strip():
            raise _refuse(_("Say what should change before the reflection is returned."), "note")
        locked.status = ReflectionStatus.ACCEPTED if accept else ReflectionStatus.RETURNED
        locked.reviewer = actor
        locked.reviewed_at = timezone.now()
        locked.review_note = note.strip()
        stamp(locked, actor, "accepted" if accept else "returned")
        locked.save()
        reflection.refresh_from_db()
        return _lesson_from(locked, actor, title.strip()) if accept else None


# --- Lessons ----------------------------------------------------------------------------


def lesson_save(
    *,
    actor: Any,
    data: dict[str, Any],
    region_id: str | None = None,
    lesson: Lesson | None = None,
) -> Lesson:
    """Create a lesson in ``region_id`` (a draft) or change ``lesson``.

    ``data`` holds the fields of :data:`LESSON_FIELDS` and ``sdg_targets``.  A
    change by someone who may not review sends a reviewed lesson back to draft.
    """
    if lesson is None:
        if region_id is None:
            raise ValueError("region_id is needed to create a lesson")
        _require(actor, "knowledge.add_record", region_id)
        lesson = Lesson(region_id=region_id, created_by=actor)
    else:
        _require(actor, "knowledge.change_lesson", lesson)
    _check_region(data, lesson.region_id)
    # The agency the lesson will have must be one the actor may write for.
    agency = data.get("agency") or (lesson.agency if lesson.pk else None)
    _require(actor, "knowledge.change_lesson", Lesson(region_id=lesson.region_id, agency=agency))
    with transaction.atomic():
        _assign(lesson, data, LESSON_FIELDS)
        if "source_activity" in data:
            activity = data["source_activity"]
            lesson.trip_report = (
                TripReport.objects.filter(activity=activity).first() if activity else None
            )
        if lesson.pk and not actor.has_perm("knowledge.review_record", lesson):
            lesson.status = LessonStatus.DRAFT
        stamp(lesson, actor, "saved")
        lesson.save()
        if "sdg_targets" in data:
            lesson.sdg_targets.set(data["sdg_targets"])
    return lesson


def lesson_review(*, actor: Any, lesson: Lesson) -> Lesson:
    """The cooperation office has read a draft lesson and stands behind it."""
    _require(actor, "knowledge.review_record", lesson)
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if locked.status == LessonStatus.REVIEWED:
            raise _refuse(_("This lesson has already been reviewed."))
        locked.status = LessonStatus.REVIEWED
        stamp(locked, actor, "reviewed")
        locked.save(update_fields=["status", "updated_at"])
    lesson.refresh_from_db()
    return lesson


def _step(follow_up: FollowUp, actor: Any, note: str) -> None:
    FollowUpStep.objects.create(
        follow_up=follow_up,
        stage=follow_up.stage,
        round=follow_up.round,
        note=note.strip(),
        recorded_by=actor,
    )


def lesson_apply(*, actor: Any, lesson: Lesson, note: str = "") -> FollowUp:
    """Mark the lesson as applied: a follow-up opens at the stage ``plan``."""
    _require(actor, "knowledge.change_lesson", lesson)
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if locked.status != LessonStatus.REVIEWED:
            raise _refuse(_("Only a reviewed lesson can be applied."))
        current = locked.follow_ups.filter(stage__in=OPEN_STAGES).first()
        if current is not None:
            raise _refuse(
                _(
                    "This lesson is already being applied: its follow-up is at the stage "
                    "“%(stage)s”."
                )
                % {"stage": current.get_stage_display()}
            )
        follow_up = FollowUp(lesson=locked, opened_by=actor)
        stamp(follow_up, actor, "opened")
        follow_up.save()
        _step(follow_up, actor, note)
    return follow_up


# --- Follow-ups -------------------------------------------------------------------------


def next_stage(stage: str) -> str:
    """The stage after ``stage`` in the cycle (after ``reflect``: ``plan`` of the next round).

    >>> next_stage("plan"), next_stage("observe"), next_stage("reflect")
    ('act', 'reflect', 'plan')
    """
    position = [str(value) for value in OPEN_STAGES].index(stage)
    return str(OPEN_STAGES[(position + 1) % len(OPEN_STAGES)])


def _locked_open(follow_up: FollowUp) -> FollowUp:
    locked = FollowUp.objects.select_for_update().select_related("lesson").get(pk=follow_up.pk)
    if not locked.is_open:
        raise _refuse(
            _("This follow-up is closed (%(stage)s); apply the lesson again to start a new one.")
            % {"stage": locked.get_stage_display()}
        )
    return locked


def followup_advance(*, actor: Any, follow_up: FollowUp, stage: str, note: str = "") -> FollowUp:
    """Move the follow-up on to the next stage, with what was noted there; forward only."""
    _require(actor, "knowledge.change_lesson", follow_up.lesson)
    if stage in (FollowUpStage.ADOPTED, FollowUpStage.DROPPED):
        raise _refuse(
            _(
                "A follow-up ends as adopted when the policy is recorded, and as dropped only "
                "with a reason."
            )
        )
    with transaction.atomic():
        locked = _locked_open(follow_up)
        expected = next_stage(locked.stage)
        if stage != expected:
            raise _refuse(
                _("From the stage “%(current)s” the follow-up can only move on to “%(next)s”.")
                % {
                    "current": locked.get_stage_display(),
                    "next": FollowUpStage(expected).label,
                }
            )
        if stage == FollowUpStage.PLAN:
            locked.round += 1
        locked.stage = stage
        stamp(locked, actor, f"moved to {stage}")
        locked.save()
        _step(locked, actor, note)
    follow_up.refresh_from_db()
    return follow_up


def _close(locked: FollowUp, actor: Any, stage: str, note: str) -> None:
    locked.stage = stage
    locked.closed_at = timezone.now()
    stamp(locked, actor, stage)
    locked.save()
    _step(locked, actor, note)


def followup_drop(*, actor: Any, follow_up: FollowUp, reason: str) -> FollowUp:
    """Drop the idea, saying why; the follow-up is closed."""
    _require(actor, "knowledge.change_lesson", follow_up.lesson)
    if not reason.strip():
        raise _refuse(_("Give the reason for dropping the idea."), "reason")
    with transaction.atomic():
        locked = _locked_open(follow_up)
        locked.dropped_reason = reason.strip()
        _close(locked, actor, FollowUpStage.DROPPED, reason)
    follow_up.refresh_from_db()
    return follow_up


# --- Policies ---------------------------------------------------------------------------


def _evidence_file(upload: UploadedFile | None) -> UploadedFile | None:
    if upload is None:
        return None
    try:
        pdf_check(upload)
    except DocumentRejected as error:
        raise ValidationError({"evidence_file": error.messages}) from None
    upload.seek(0)
    return upload


def policy_adopt(
    *,
    actor: Any,
    region_id: str,
    data: dict[str, Any],
    upload: UploadedFile | None = None,
    follow_up: FollowUp | None = None,
    today: dt.date | None = None,
) -> Policy:
    """Record a policy adopted; with ``follow_up``, it closes that follow-up as adopted.

    ``data`` holds :data:`POLICY_FIELDS`, ``activities`` and ``lessons``; the
    follow-up's lesson is added to the lessons.  The evidence is a link or a PDF.
    """
    _require(actor, "knowledge.add_record", region_id)
    _check_region(data, region_id)
    _require(actor, "knowledge.change_policy", Policy(region_id=region_id, agency=data["agency"]))
    today = today or timezone.localdate()
    if data["adopted_on"] > today:
        raise _refuse(_("The date of adoption cannot be in the future."), "adopted_on")
    if not data.get("evidence_url") and upload is None:
        raise _refuse(_("Give a link to the document or upload it as a PDF."), "evidence_url")
    checked = _evidence_file(upload)
    lessons = list(data.get("lessons") or [])
    activities = list(data.get("activities") or [])
    for activity in activities:
        if activity.partnership.local_region_id != region_id:
            raise _refuse(_("Choose an activity of your own region."), "activities")
    with transaction.atomic():
        policy = Policy(region_id=region_id, created_by=actor)
        _assign(policy, data, POLICY_FIELDS)
        if checked is not None:
            policy.evidence_file.save(checked.name or "policy.pdf", checked, save=False)
        if follow_up is not None:
            locked = _locked_open(follow_up)
            _require(actor, "knowledge.change_lesson", locked.lesson)
            _close(locked, actor, FollowUpStage.ADOPTED, data.get("title_id", ""))
            policy.follow_up = locked
            lessons.append(locked.lesson)
        stamp(policy, actor, "adopted")
        policy.save()
        policy.lessons.set({lesson.pk for lesson in lessons})
        policy.activities.set(
            {activity.pk for activity in activities}
            | {lesson.source_activity_id for lesson in lessons if lesson.source_activity_id}
        )
    if follow_up is not None:
        follow_up.refresh_from_db()
    return policy


def policy_publish(*, actor: Any, policy: Policy, public: bool) -> Policy:
    """The cooperation office's review: show the policy on the public pages, or stop showing it."""
    _require(actor, "knowledge.review_record", policy)
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        locked.is_public = public
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        stamp(locked, actor, "published" if public else "withdrawn")
        locked.save()
    policy.refresh_from_db()
    return policy


# --- Practices --------------------------------------------------------------------------


def practice_save(
    *,
    actor: Any,
    data: dict[str, Any],
    region_id: str | None = None,
    practice: Practice | None = None,
) -> Practice:
    """Create a practice offered or sought in ``region_id``, or change ``practice``."""
    if practice is None:
        if region_id is None:
            raise ValueError("region_id is needed to create a practice")
        _require(actor, "knowledge.add_record", region_id)
        practice = Practice(region_id=region_id, created_by=actor)
    else:
        _require(actor, "knowledge.change_practice", practice)
    _check_region(data, practice.region_id)
    with transaction.atomic():
        _assign(practice, data, PRACTICE_FIELDS)
        _require(actor, "knowledge.change_practice", practice)
        stamp(practice, actor, "saved")
        practice.save()
        if "sdg_targets" in data:
            practice.sdg_targets.set(data["sdg_targets"])
        if "focus_areas" in data:
            practice.focus_areas.set(data["focus_areas"])
    return practice
