"""The learning cycle through the services: every transition, and the refused ones exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kembar.knowledge.models import (
    FollowUpStage,
    FollowUpStep,
    InstrumentKind,
    Lesson,
    LessonStatus,
    Policy,
    Reflection,
    ReflectionStatus,
)
from kembar.knowledge.services import (
    followup_advance,
    followup_drop,
    lesson_apply,
    lesson_review,
    lesson_save,
    policy_adopt,
    policy_publish,
    reflection_review,
    reflection_submit,
)
from kembar.knowledge.tests.conftest import World
from kembar.partnerships.tests.test_views import tiny_pdf
from kembar.programs.models import ActivityStatus
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def policy_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title_id": "Perwal Asesmen Portofolio",
        "title_en": "Portfolio assessment regulation",
        "instrument": InstrumentKind.PERWAL,
        "number": "Perwal No. 12 Tahun 2025",
        "adopted_on": dt.date(2025, 6, 1),
        "agency": world.orgs.dinas_pendidikan,
        "evidence_url": "https://jdih.semarangkota.go.id/perwal-12-2025",
        "partnership": world.partnership,
    }
    data.update(overrides)
    return data


def test_reflection_accepted_becomes_a_reviewed_lesson(world: World) -> None:
    reflection = reflection_submit(
        actor=world.agency_officer,
        activity=world.activity,
        learned="Portofolio digital",
        will_change="Uji coba",
        who_should_know="Dinas Kominfo",
    )
    assert (reflection.status, reflection.author) == (
        ReflectionStatus.SUBMITTED,
        world.agency_officer,
    )
    lesson = reflection_review(
        actor=world.officer, reflection=reflection, accept=True, title="Portofolio"
    )
    assert lesson is not None
    reflection.refresh_from_db()
    assert (reflection.status, reflection.reviewer) == (ReflectionStatus.ACCEPTED, world.officer)
    assert lesson.status == LessonStatus.REVIEWED
    assert (lesson.title_id, lesson.title_en) == ("Portofolio", "Teacher training")
    assert (lesson.what_happened_id, lesson.context_id) == (
        "Portofolio digital",
        "Guru SD belajar asesmen.",
    )
    assert lesson.region_id == "33.74"
    assert lesson.agency == world.orgs.dinas_pendidikan
    assert lesson.partner_city == world.orgs.partner_city
    assert lesson.partnership == world.partnership
    assert lesson.source_activity == world.activity
    assert lesson.reflection == reflection
    assert [target.code for target in lesson.sdg_targets.all()] == ["4.7"]
    assert lesson.history.earliest().history_user == world.officer


def test_reflection_returned_needs_a_note_then_can_be_rewritten(world: World) -> None:
    reflection = reflection_submit(
        actor=world.agency_officer, activity=world.activity, learned="a", will_change="b"
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        reflection_review(actor=world.officer, reflection=reflection, accept=False, note=" ")
    assert refused.value.message_dict == {
        "note": ["Say what should change before the reflection is returned."]
    }
    assert Reflection.objects.get().status == ReflectionStatus.SUBMITTED
    assert (
        reflection_review(
            actor=world.officer, reflection=reflection, accept=False, note="Tambahkan bukti."
        )
        is None
    )
    assert Reflection.objects.get().status == ReflectionStatus.RETURNED
    rewritten = reflection_submit(
        actor=world.agency_officer, activity=world.activity, learned="a2", will_change="b2"
    )
    assert (rewritten.pk, rewritten.status, rewritten.learned) == (
        reflection.pk,
        ReflectionStatus.SUBMITTED,
        "a2",
    )
    assert Lesson.objects.count() == 0


def test_refused_reflections_in_english(world: World) -> None:
    with translation.override("en"):
        world.activity.status = ActivityStatus.ONGOING
        world.activity.save()
        with pytest.raises(ValidationError) as refused:
            reflection_submit(
                actor=world.agency_officer, activity=world.activity, learned="a", will_change="b"
            )
        assert messages(refused.value) == ["Only a completed activity asks for a reflection."]
        world.activity.status = ActivityStatus.COMPLETED
        world.activity.save()
        with pytest.raises(ValidationError) as refused:
            reflection_submit(
                actor=world.agency_officer, activity=world.activity, learned=" ", will_change="b"
            )
        assert messages(refused.value) == ["Say what you learned."]
        world.lesson()
        with pytest.raises(ValidationError) as refused:
            reflection_submit(
                actor=world.agency_officer, activity=world.activity, learned="x", will_change="y"
            )
        assert messages(refused.value) == [
            "This reflection has been accepted; it can no longer be changed."
        ]
        with pytest.raises(ValidationError) as refused:
            reflection_review(actor=world.officer, reflection=Reflection.objects.get(), accept=True)
        assert messages(refused.value) == ["Only a submitted reflection can be reviewed."]


def test_another_agency_may_not_reflect_nor_review(world: World) -> None:
    with pytest.raises(PermissionDenied):
        reflection_submit(
            actor=world.other_agency_officer, activity=world.activity, learned="a", will_change="b"
        )
    reflection = reflection_submit(
        actor=world.agency_officer, activity=world.activity, learned="a", will_change="b"
    )
    with pytest.raises(PermissionDenied):
        reflection_review(actor=world.agency_officer, reflection=reflection, accept=True)
    assert Reflection.objects.get().status == ReflectionStatus.SUBMITTED
    assert Lesson.objects.count() == 0


def test_follow_up_moves_forward_only_and_rounds_again(world: World) -> None:
    follow_up = world.follow_up()
    assert (follow_up.stage, follow_up.round) == (FollowUpStage.PLAN, 1)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            followup_advance(actor=world.agency_officer, follow_up=follow_up, stage="observe")
        assert messages(refused.value) == [
            "From the stage “plan” the follow-up can only move on to “act”."
        ]
        with pytest.raises(ValidationError) as refused:
            followup_advance(actor=world.agency_officer, follow_up=follow_up, stage="adopted")
        assert messages(refused.value) == [
            "A follow-up ends as adopted when the policy is recorded, and as dropped only "
            "with a reason."
        ]
        with pytest.raises(ValidationError) as refused:
            lesson_apply(actor=world.agency_officer, lesson=follow_up.lesson)
        assert messages(refused.value) == [
            "This lesson is already being applied: its follow-up is at the stage “plan”."
        ]
    for stage in ("act", "observe", "reflect", "plan"):
        followup_advance(actor=world.agency_officer, follow_up=follow_up, stage=stage, note=stage)
    assert (follow_up.stage, follow_up.round) == (FollowUpStage.PLAN, 2)
    steps = list(FollowUpStep.objects.values_list("round", "stage", "note"))
    assert steps == [
        (1, "plan", "Rencana"),
        (1, "act", "act"),
        (1, "observe", "observe"),
        (1, "reflect", "reflect"),
        (2, "plan", "plan"),
    ]
    with pytest.raises(ValidationError):
        followup_advance(actor=world.agency_officer, follow_up=follow_up, stage="plan")


def test_dropping_needs_a_reason_and_closes(world: World) -> None:
    follow_up = world.follow_up()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            followup_drop(actor=world.agency_officer, follow_up=follow_up, reason="  ")
        assert messages(refused.value) == ["Give the reason for dropping the idea."]
        followup_drop(actor=world.agency_officer, follow_up=follow_up, reason="Tidak ada anggaran")
        assert (follow_up.stage, follow_up.dropped_reason) == ("dropped", "Tidak ada anggaran")
        assert follow_up.closed_at is not None
        with pytest.raises(ValidationError) as refused:
            followup_advance(actor=world.agency_officer, follow_up=follow_up, stage="act")
        assert messages(refused.value) == [
            "This follow-up is closed (dropped); apply the lesson again to start a new one."
        ]
    again = lesson_apply(actor=world.agency_officer, lesson=follow_up.lesson)
    assert (again.stage, again.round) == ("plan", 1)


def test_draft_lesson_must_be_reviewed_before_it_is_applied(world: World) -> None:
    lesson = lesson_save(
        actor=world.agency_officer,
        region_id="33.74",
        data={
            "agency": world.orgs.dinas_pendidikan,
            "title_id": "Bank sampah sekolah",
            "sector": SectorFactory.create(),
            "government_affair": GovernmentAffairFactory.create(),
            "source_activity": world.activity,
        },
    )
    assert lesson.status == LessonStatus.DRAFT
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lesson_apply(actor=world.agency_officer, lesson=lesson)
    assert messages(refused.value) == ["Only a reviewed lesson can be applied."]
    with pytest.raises(PermissionDenied):
        lesson_review(actor=world.agency_officer, lesson=lesson)
    lesson_review(actor=world.officer, lesson=lesson)
    assert lesson.status == LessonStatus.REVIEWED
    # A change by the agency sends it back for review.
    lesson_save(actor=world.agency_officer, lesson=lesson, data={"title_en": "School waste bank"})
    lesson.refresh_from_db()
    assert (lesson.status, lesson.title_en) == (LessonStatus.DRAFT, "School waste bank")


def test_another_agency_may_not_change_a_lesson(world: World) -> None:
    lesson = world.lesson()
    with pytest.raises(PermissionDenied):
        lesson_save(actor=world.other_agency_officer, lesson=lesson, data={"title_id": "X"})
    with pytest.raises(PermissionDenied):
        lesson_apply(actor=world.other_agency_officer, lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.title_id == "Pelatihan guru"
    assert lesson.follow_ups.count() == 0


def test_policy_adopted_closes_the_follow_up_and_links_lesson_and_activity(world: World) -> None:
    follow_up = world.follow_up()
    policy = policy_adopt(
        actor=world.agency_officer,
        region_id="33.74",
        data=policy_data(world),
        follow_up=follow_up,
        today=dt.date(2025, 6, 2),
    )
    assert (follow_up.stage, follow_up.closed_at is not None) == ("adopted", True)
    assert policy.follow_up == follow_up
    assert list(policy.lessons.all()) == [follow_up.lesson]
    assert list(policy.activities.all()) == [world.activity]
    assert list(Policy.objects.filter(partnership=world.partnership)) == [policy]
    assert policy.is_public is False
    with pytest.raises(PermissionDenied):
        policy_publish(actor=world.agency_officer, policy=policy, public=True)
    policy_publish(actor=world.officer, policy=policy, public=True)
    assert (policy.is_public, policy.reviewed_by) == (True, world.officer)


def test_policy_refusals(world: World) -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            policy_adopt(
                actor=world.officer,
                region_id="33.74",
                data=policy_data(world, adopted_on=dt.date(2025, 6, 3)),
                today=dt.date(2025, 6, 2),
            )
        assert refused.value.message_dict == {
            "adopted_on": ["The date of adoption cannot be in the future."]
        }
        with pytest.raises(ValidationError) as refused:
            policy_adopt(
                actor=world.officer,
                region_id="33.74",
                data=policy_data(world, evidence_url=""),
                today=dt.date(2025, 6, 2),
            )
        assert refused.value.message_dict == {
            "evidence_url": ["Give a link to the document or upload it as a PDF."]
        }
        with pytest.raises(ValidationError) as refused:
            policy_adopt(
                actor=world.officer,
                region_id="33.74",
                data=policy_data(world, agency=world.orgs.magelang),
                today=dt.date(2025, 6, 2),
            )
        assert refused.value.message_dict == {"agency": ["Choose an agency of your own region."]}
    with pytest.raises(PermissionDenied):
        policy_adopt(
            actor=world.other_agency_officer,
            region_id="33.74",
            data=policy_data(world),
            today=dt.date(2025, 6, 2),
        )
    assert Policy.objects.count() == 0


def test_policy_with_a_pdf(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    policy = policy_adopt(
        actor=world.officer,
        region_id="33.74",
        data=policy_data(world, evidence_url=""),
        upload=SimpleUploadedFile("perwal.pdf", tiny_pdf("Perwal 12/2025")),
        today=dt.date(2025, 6, 2),
    )
    assert policy.evidence_file.name.startswith("policies/")
    assert policy.evidence_file.read().startswith(b"%PDF-1.")
