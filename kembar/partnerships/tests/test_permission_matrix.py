"""Each role × each write action: who may, and that a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.partnerships import services
from kembar.partnerships.documents import partnership_document_upload
from kembar.partnerships.lifecycle import (
    TransitionRefused,
    partnership_transition,
    partnership_transition_approve,
)
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    ConditionCheck,
    CooperationPlan,
    InboundRequest,
    LifecycleState,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.pdfs import blank_pdf

pytestmark = pytest.mark.django_db

PDF = blank_pdf()  # a real PDF: uploads are parsed

ROLES = {
    "administrator": (Role.ADMINISTRATOR, None),
    "cooperation officer": (Role.COOPERATION_OFFICER, "semarang"),
    "agency officer": (Role.AGENCY_OFFICER, "dinas_pendidikan"),
    "leadership": (Role.LEADERSHIP, "semarang"),
    "council member": (Role.COUNCIL_MEMBER, "dprd_semarang"),
    "partner counterpart": (Role.PARTNER_COUNTERPART, "partner_government"),
    "officer of another region": (Role.COOPERATION_OFFICER, "magelang"),
}

# action -> roles allowed
ALLOWED = {
    "edit": {"administrator", "cooperation officer"},
    "transition": {"administrator", "cooperation officer"},
    "upload document": {"administrator", "cooperation officer"},
    "record conditions": {"administrator", "cooperation officer"},
    "save plan": {"administrator", "cooperation officer"},
    "record inbound request": {"administrator", "cooperation officer"},
    "accept inbound request": {"administrator", "cooperation officer"},
    # ending a partnership at the letter-of-intent stage is approved by leadership
    "approve a move": {"administrator", "leadership"},
}


def snapshot() -> tuple[Any, ...]:
    return (
        list(Partnership.objects.order_by("pk").values_list("state_id", "version", "partner_name")),
        TransitionRecord.objects.order_by("pk").values_list("status", "approver_id").count(),
        list(TransitionRecord.objects.order_by("pk").values_list("status", flat=True)),
        PartnershipDocument.objects.count(),
        ConditionCheck.objects.count(),
        CooperationPlan.objects.count(),
        list(InboundRequest.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    services.lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    orgs = standard_organisations()
    users = {
        label: UserFactory.create(
            username=label.replace(" ", "-"),
            role=role,
            organisation=getattr(orgs, org) if org else None,
        )
        for label, (role, org) in ROLES.items()
    }
    proposer = UserFactory.create(username="proposer", organisation=orgs.semarang)
    partnership = PartnershipFactory.create(
        slug="smg-partner",
        local_region=orgs.semarang.region,
        partner_city=orgs.partner_city,
        partner_country=orgs.partner_city.country,
        state=LifecycleState.objects.get(code="active"),
    )
    pending = partnership_transition(
        partnership=PartnershipFactory.create(
            slug="smg-pending",
            local_region=orgs.semarang.region,
            partner_city=orgs.partner_city,
            partner_country=orgs.partner_city.country,
            state=LifecycleState.objects.get(code="letter_of_intent"),
        ),
        target="terminated",
        actor=proposer,
        reason="Not pursued",
    )
    inbound = InboundRequest.objects.create(
        local_region_id="33.74",
        partner_name="Gold Coast",
        partner_country=orgs.partner_city.country,
        received_on=dt.date(2026, 11, 2),
        subject="Sister city proposal",
    )
    return {
        "users": users,
        "partnership": partnership,
        "pending": pending,
        "inbound": inbound,
        "orgs": orgs,
    }


def act(action: str, user: User, world: dict[str, Any]) -> None:
    partnership: Partnership = world["partnership"]
    actions: dict[str, Callable[[], Any]] = {
        "edit": lambda: services.partnership_update(
            partnership=partnership,
            actor=user,
            expected_version=1,
            data={"partner_name": "Changed"},
        ),
        "transition": lambda: partnership_transition(
            partnership=partnership, target="dormant", actor=user, reason="quiet"
        ),
        "upload document": lambda: partnership_document_upload(
            partnership=partnership,
            kind="loi",
            title="LoI",
            language="id",
            upload=SimpleUploadedFile("loi.pdf", PDF),
            uploader=user,
        ),
        "record conditions": lambda: services.partnership_conditions_record(
            partnership=partnership, actor=user, results={"regional_affair": (True, "")}
        ),
        "save plan": lambda: services.cooperation_plan_save(
            partnership=partnership, actor=user, data={"subject": "Flood control"}
        ),
        "record inbound request": lambda: services.inbound_request_create(
            actor=user,
            data={
                "local_region": world["orgs"].semarang.region,
                "partner_name": "Cairns",
                "partner_country": world["orgs"].partner_city.country,
                "received_on": dt.date(2026, 11, 3),
                "subject": "Proposal",
            },
        ),
        "accept inbound request": lambda: services.inbound_request_accept(
            request=world["inbound"], actor=user
        ),
        "approve a move": lambda: partnership_transition_approve(
            record=world["pending"], approver=user
        ),
    }
    actions[action]()


CASES = [(action, role) for action in ALLOWED for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_permission_matrix(world: dict[str, Any], action: str, role: str) -> None:
    user = world["users"][role]
    before = snapshot()

    if role in ALLOWED[action]:
        act(action, user, world)
        assert snapshot() != before
    else:
        with pytest.raises((PermissionDenied, TransitionRefused, ValidationError)) as refused:
            act(action, user, world)
        if isinstance(refused.value, TransitionRefused):
            assert refused.value.status == 403
        assert snapshot() == before
