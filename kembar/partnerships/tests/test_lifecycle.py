"""The lifecycle engine: every default transition, and every way one is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kembar.accounts.models import Organisation, Role, User
from kembar.geo.tests.factories import RegionFactory
from kembar.geo.workdays import working_days_after
from kembar.partnerships.lifecycle import (
    TransitionRefused,
    partnership_transition,
    partnership_transition_approve,
    partnership_transition_reject,
    transition_options,
)
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    Condition,
    ConditionCheck,
    CooperationPlan,
    DocumentKind,
    LifecycleState,
    LifecycleTransition,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.pdfs import blank_pdf

pytestmark = pytest.mark.django_db

DEFINITION = lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE)
PDF = blank_pdf()  # a real PDF: uploads are parsed


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lifecycle() -> None:
    lifecycle_seed_apply(DEFINITION)


def person(username: str, role: str, organisation: Organisation | None) -> User:
    return User.objects.create_user(
        username=username, password="a-long-test-password", role=role, organisation=organisation
    )


@pytest.fixture
def people(lifecycle: None) -> dict[str, User]:
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    council = Organisation.objects.create(
        slug="dprd-semarang", name="DPRD Kota Semarang", kind="council", parent=semarang
    )
    magelang = Organisation.objects.create(
        slug="pemkot-magelang",
        name="Pemerintah Kota Magelang",
        kind="local_government",
        region=RegionFactory.create(kode="33.71", name="Kota Magelang"),
    )
    return {
        "officer": person("officer", Role.COOPERATION_OFFICER, semarang),
        "second_officer": person("second", Role.COOPERATION_OFFICER, semarang),
        "leader": person("leader", Role.LEADERSHIP, semarang),
        "council": person("council", Role.COUNCIL_MEMBER, council),
        "other_region": person("magelang", Role.COOPERATION_OFFICER, magelang),
        "other_leader": person("magelang-leader", Role.LEADERSHIP, magelang),
        "admin": person("admin", Role.ADMINISTRATOR, None),
    }


def at_stage(code: str) -> Partnership:
    return PartnershipFactory.create(
        slug=f"smg-{code.replace('_', '-')}", state=LifecycleState.objects.get(code=code)
    )


def add_document(partnership: Partnership, kind: DocumentKind, uploader: User) -> None:
    today = timezone.localdate()
    content = PDF + kind.code.encode()
    PartnershipDocument.objects.create(
        partnership=partnership,
        kind=kind,
        title=kind.name_en,
        language="id+en",
        signed_on=today - dt.timedelta(days=30) if kind.has_validity else None,
        valid_from=today - dt.timedelta(days=30) if kind.has_validity else None,
        valid_until=today + dt.timedelta(days=730) if kind.has_validity else None,
        file=ContentFile(content, name=f"{kind.code}.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        uploaded_by=uploader,
        uploaded_at=timezone.now(),
    )


def satisfy(partnership: Partnership, transition: LifecycleTransition, uploader: User) -> None:
    """Give the partnership everything ``transition`` requires."""
    for kind in transition.required_documents.all():
        add_document(partnership, kind, uploader)
    Partnership.objects.filter(pk=partnership.pk).update(
        initiated_by="local", consultation_recorded_on=dt.date(2026, 1, 5)
    )
    for condition in Condition.values:
        ConditionCheck.objects.create(
            partnership=partnership,
            condition=condition,
            met=True,
            checked_by=uploader,
            checked_at=timezone.now(),
        )
    CooperationPlan.objects.create(
        partnership=partnership,
        subject="Smart city",
        background="Both cities face floods",
        aims_and_targets="Share flood-control practice",
        object="Drainage planning",
        scope="Staff exchange",
        funding_source="APBD and partner",
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2029, 12, 31),
    )
    partnership.refresh_from_db()


def test_default_definition_is_loaded_once(lifecycle: None) -> None:
    assert LifecycleState.objects.count() == 15
    assert LifecycleTransition.objects.count() == 30
    council = LifecycleTransition.objects.get(
        source__code="cooperation_plan", target__code="council_approval"
    )
    assert council.deadline_working_days == 45
    assert council.approver_roles == ["leadership"]
    assert [kind.code for kind in council.required_documents.all()] == ["cooperation_plan"]

    assert lifecycle_seed_apply(DEFINITION) == {
        "states": 0,
        "document_kinds": 0,
        "transitions": 0,
        "partnerships_staged": 0,
    }


def test_an_administrators_edit_survives_reloading(lifecycle: None) -> None:
    transition = LifecycleTransition.objects.get(source__code="active", target__code="dormant")
    transition.requires_reason = False
    transition.save()

    lifecycle_seed_apply(DEFINITION)

    transition.refresh_from_db()
    assert transition.requires_reason is False


TRANSITIONS = [(row["from"], row["to"]) for row in DEFINITION.transitions]


@pytest.mark.parametrize(("source", "target"), TRANSITIONS)
def test_every_default_transition(people: dict[str, User], source: str, target: str) -> None:
    partnership = at_stage(source)
    transition = LifecycleTransition.objects.get(source__code=source, target__code=target)
    satisfy(partnership, transition, people["officer"])

    record = partnership_transition(
        partnership=partnership,
        target=target,
        actor=people["officer"],
        reason="Decided in a meeting",
    )

    partnership.refresh_from_db()
    if transition.approver_roles:
        assert record.status == TransitionRecord.Status.PENDING
        assert partnership.stage_code == source
        approver = people["leader"] if "leadership" in transition.approver_roles else None
        approver = approver or people["second_officer"]
        partnership_transition_approve(record=record, approver=approver, note="agreed")
        record.refresh_from_db()
        assert record.approver == approver
    assert record.status == TransitionRecord.Status.APPLIED
    partnership.refresh_from_db()
    assert partnership.stage_code == target
    assert partnership.version == 2
    last = partnership.history.order_by("-history_id").first()
    assert last.history_change_reason == f"{source} → {target}: Decided in a meeting"
    expected_deadline = (
        working_days_after(timezone.localdate(), 45) if target == "council_approval" else None
    )
    assert record.deadline == expected_deadline


def assert_unchanged(partnership: Partnership, state: str) -> None:
    partnership.refresh_from_db()
    assert partnership.stage_code == state
    assert partnership.version == 1
    assert partnership.transitions.count() == 0


def test_missing_document_is_named_and_changes_nothing(people: dict[str, User]) -> None:
    partnership = at_stage("letter_of_intent")

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(
            partnership=partnership, target="cooperation_plan", actor=people["officer"]
        )

    assert refused.value.reasons == ["Dokumen belum ada: Surat pernyataan kehendak (LoI)."]
    assert refused.value.status == 409
    assert_unchanged(partnership, "letter_of_intent")


@pytest.mark.parametrize("who", ["council", "leader", "other_region"])
def test_wrong_role_is_refused(people: dict[str, User], who: str) -> None:
    partnership = at_stage("active")

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(
            partnership=partnership, target="dormant", actor=people[who], reason="quiet"
        )

    assert refused.value.status == 403
    assert "tidak boleh memindahkan kerja sama ini" in refused.value.reasons[0]
    assert_unchanged(partnership, "active")


def test_unknown_transition_is_refused(people: dict[str, User]) -> None:
    partnership = at_stage("initiative")

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(partnership=partnership, target="active", actor=people["officer"])

    assert refused.value.status == 400
    assert refused.value.reasons == [
        "Kerja sama pada tahap Prakarsa tidak dapat dipindahkan ke active."
    ]
    assert_unchanged(partnership, "initiative")


@pytest.mark.parametrize("target", ["dormant", "lapsed", "terminated"])
def test_ending_or_dormancy_needs_a_reason(people: dict[str, User], target: str) -> None:
    partnership = at_stage("active")

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(partnership=partnership, target=target, actor=people["officer"])

    assert refused.value.reasons == ["Berikan alasan untuk perpindahan ini."]
    assert_unchanged(partnership, "active")


def test_checks_are_named(people: dict[str, User]) -> None:
    partnership = at_stage("exploration")
    ConditionCheck.objects.create(
        partnership=partnership,
        condition=Condition.DIPLOMATIC_RELATIONS,
        met=True,
        checked_by=people["officer"],
        checked_at=timezone.now(),
    )

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(
            partnership=partnership, target="letter_of_intent", actor=people["officer"]
        )

    assert refused.value.reasons == [
        "Belum dipenuhi: semua syarat PP 28/2018 Pasal 27 telah diperiksa.",
        "Belum dipenuhi: konsultasi dengan Kemendagri dan Kemlu telah dicatat.",
    ]
    assert_unchanged(partnership, "exploration")


def test_incomplete_plan_blocks_the_council_request(people: dict[str, User]) -> None:
    partnership = at_stage("cooperation_plan")
    transition = LifecycleTransition.objects.get(
        source__code="cooperation_plan", target__code="council_approval"
    )
    satisfy(partnership, transition, people["officer"])
    CooperationPlan.objects.filter(partnership=partnership).update(funding_source="  ")

    with pytest.raises(TransitionRefused) as refused:
        partnership_transition(
            partnership=partnership, target="council_approval", actor=people["officer"]
        )

    assert refused.value.reasons == [
        "Belum dipenuhi: rencana kerja sama memuat ketujuh isi yang diwajibkan."
    ]


def test_maker_checker(people: dict[str, User]) -> None:
    partnership = at_stage("letter_of_intent")
    satisfy(
        partnership,
        LifecycleTransition.objects.get(
            source__code="letter_of_intent", target__code="cooperation_plan"
        ),
        people["officer"],
    )
    record = partnership_transition(
        partnership=partnership, target="cooperation_plan", actor=people["officer"]
    )

    with pytest.raises(TransitionRefused) as same_person:
        partnership_transition_approve(record=record, approver=people["officer"])
    assert same_person.value.reasons == [
        "Perpindahan yang Anda usulkan harus disetujui oleh orang lain."
    ]
    for outsider in ("council", "other_leader"):
        with pytest.raises(TransitionRefused) as refused:
            partnership_transition_approve(record=record, approver=people[outsider])
        assert refused.value.reasons == ["Peran Anda tidak boleh menyetujui perpindahan ini."]
    with pytest.raises(TransitionRefused) as blocked:
        partnership_transition(
            partnership=partnership, target="terminated", actor=people["officer"], reason="x"
        )
    assert blocked.value.reasons == [
        "Perpindahan ke Rencana kerja sama sedang menunggu persetujuan."
    ]
    partnership.refresh_from_db()
    assert partnership.stage_code == "letter_of_intent"

    partnership_transition_approve(record=record, approver=people["second_officer"])

    partnership.refresh_from_db()
    assert partnership.stage_code == "cooperation_plan"
    with pytest.raises(TransitionRefused) as twice:
        partnership_transition_approve(record=record, approver=people["leader"])
    assert twice.value.reasons == ["Perpindahan ini tidak sedang menunggu persetujuan."]


def test_rejection_keeps_the_stage_and_needs_a_note(people: dict[str, User]) -> None:
    partnership = at_stage("active")
    record = partnership_transition(
        partnership=partnership, target="terminated", actor=people["officer"], reason="no budget"
    )
    with pytest.raises(TransitionRefused):
        partnership_transition_reject(record=record, approver=people["leader"], note=" ")

    partnership_transition_reject(record=record, approver=people["leader"], note="keep it")

    record.refresh_from_db()
    partnership.refresh_from_db()
    assert (record.status, record.approver, record.decision_note) == (
        "rejected",
        people["leader"],
        "keep it",
    )
    assert partnership.stage_code == "active"
    assert partnership.version == 1


def test_options_show_what_blocks_each_move(people: dict[str, User]) -> None:
    partnership = at_stage("letter_of_intent")

    options = {
        option.transition.target.code: option
        for option in transition_options(partnership=partnership, user=people["officer"])
    }

    assert sorted(options) == ["cooperation_plan", "terminated"]
    assert options["cooperation_plan"].blockers == [
        "Dokumen belum ada: Surat pernyataan kehendak (LoI)."
    ]
    assert options["terminated"].allowed is True
    council_view = transition_options(partnership=partnership, user=people["council"])
    assert all(not option.allowed for option in council_view)


def test_options_read_the_current_documents_once(people: dict[str, User]) -> None:
    partnership = at_stage("letter_of_intent")

    with CaptureQueriesContext(connection) as queries:
        options = transition_options(partnership=partnership, user=people["officer"])

    document_reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "partnerships_partnershipdocument"."id"')
        and '"partnerships_documentkind"."has_validity" FROM' in query["sql"]
    ]
    # Two moves out of the stage, one read of the documents in force for both.
    assert len(options) == 2
    assert len(document_reads) == 1
