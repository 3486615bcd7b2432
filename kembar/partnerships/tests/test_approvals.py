"""Approvers see the moves awaiting them and are notified; the proposer hears the outcome."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from kembar.accounts.models import Notification, Organisation, Role, User
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.lifecycle import (
    partnership_transition,
    partnership_transition_approve,
    partnership_transition_reject,
)
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import LifecycleState, Partnership, TransitionRecord
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def _user(username: str, role: str, organisation: Organisation | None, email: str = "") -> User:
    return User.objects.create_user(
        username=username,
        password="a-long-test-password",
        role=role,
        organisation=organisation,
        email=email,
        first_name=username.capitalize(),
    )


@pytest.fixture(autouse=True)
def english_notifications(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people() -> dict[str, Any]:
    lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    magelang = Organisation.objects.create(
        slug="pemkot-magelang",
        name="Pemerintah Kota Magelang",
        kind="local_government",
        region=RegionFactory.create(kode="33.71", name="Kota Magelang"),
    )
    partnership = PartnershipFactory.create(
        slug="smg-beihai",
        partner_name="Beihai",
        state=LifecycleState.objects.get(code="active"),
    )
    return {
        "partnership": partnership,
        "officer": _user("sari", Role.COOPERATION_OFFICER, semarang, "sari@example.org"),
        "other_officer": _user("budi", Role.COOPERATION_OFFICER, semarang),
        "leader": _user("wali", Role.LEADERSHIP, semarang, "wali@example.org"),
        "magelang_leader": _user("magelang", Role.LEADERSHIP, magelang),
        "admin": _user("admin", Role.ADMINISTRATOR, None),
    }


def _propose(people: dict[str, Any]) -> TransitionRecord:
    return partnership_transition(
        partnership=people["partnership"],
        target="terminated",
        actor=people["officer"],
        reason="No activity since 2008",
    )


def _notes(user: User) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("subject", "body", "link")
    )


def _english(client: Client, user: User) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_a_request_notifies_those_who_may_approve_it_and_no_one_else(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record = _propose(people)

    assert record.status == TransitionRecord.Status.PENDING
    # Leadership of Semarang only: not the proposer, another officer, Magelang or the admin.
    assert _notes(people["leader"]) == [
        (
            "Approval requested: Beihai to Terminated",
            "Sari proposes to move Beihai from Active to Terminated. Reason: No activity since "
            "2008. Approve or reject it under Approvals in the staff area.",
            "/staff/approvals/",
        )
    ]
    for name in ("officer", "other_officer", "magelang_leader", "admin"):
        assert _notes(people[name]) == []
    assert [message.to for message in mail.outbox] == [["wali@example.org"]]


def test_the_approvals_page_lists_what_awaits_the_user(
    client: Client, people: dict[str, Any]
) -> None:
    record = _propose(people)
    response = _english(client, people["leader"]).get("/staff/approvals/")
    assert response.status_code == 200
    assert [item.pk for item in response.context["records"]] == [record.pk]
    html = response.content.decode()
    assert '<span class="badge" id="approvals-waiting">1</span>' in html
    assert "Beihai" in html

    for name in ("officer", "magelang_leader"):
        other = Client()
        response = _english(other, people[name]).get("/staff/approvals/")
        assert list(response.context["records"]) == []
        assert '<span class="badge" id="approvals-waiting">0</span>' in response.content.decode()


def test_approving_from_the_list_tells_the_proposer(
    client: Client, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    record = _propose(people)
    with django_capture_on_commit_callbacks(execute=True):
        response = _english(client, people["leader"]).post(
            f"/staff/transitions/{record.pk}/approve/", {"note": "Agreed", "next": "approvals"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/staff/approvals/"
    record.refresh_from_db()
    assert record.status == TransitionRecord.Status.APPLIED
    assert _notes(people["officer"]) == [
        (
            "Approved: Beihai moved to Terminated",
            "Wali approved your proposal to move Beihai from Active to Terminated. Note: Agreed",
            "/staff/partnerships/smg-beihai/",
        )
    ]
    assert mail.outbox[-1].to == ["sari@example.org"]
    assert client.get("/staff/approvals/").context["records"] == []


def test_a_rejection_tells_the_proposer_the_reason(people: dict[str, Any]) -> None:
    record = _propose(people)
    partnership_transition_reject(
        record=record, approver=people["leader"], note="Wait for the evaluation first"
    )
    assert _notes(people["officer"]) == [
        (
            "Rejected: Beihai stays at Active",
            "Wali rejected your proposal to move Beihai from Active to Terminated. Reason: Wait "
            "for the evaluation first",
            "/staff/partnerships/smg-beihai/",
        )
    ]
    assert Partnership.objects.get(slug="smg-beihai").stage_code == "active"


def test_the_notifications_are_sent_once(people: dict[str, Any]) -> None:
    record = _propose(people)
    partnership_transition_approve(record=record, approver=people["leader"], note="")
    assert Notification.objects.filter(user=people["leader"]).count() == 1
    assert Notification.objects.filter(user=people["officer"]).count() == 1
