"""An administrator changes the lifecycle without a release; records stay read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.partnerships.lifecycle import TransitionRefused, partnership_transition
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import LifecycleState, LifecycleTransition, TransitionRecord
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(settings: Any, client: Client) -> Client:
    lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    client.force_login(
        UserFactory.create(
            username="root",
            role=Role.ADMINISTRATOR,
            organisation=None,
            is_staff=True,
            is_superuser=True,
        )
    )
    return client


def test_an_administrator_changes_a_transition_and_it_applies(admin_client: Client) -> None:
    officer = UserFactory.create(username="sari", organisation=standard_organisations().semarang)
    partnership = PartnershipFactory.create(
        local_region_id="33.74", state=LifecycleState.objects.get(code="active")
    )
    with pytest.raises(TransitionRefused):
        partnership_transition(partnership=partnership, target="dormant", actor=officer)
    transition = LifecycleTransition.objects.get(source__code="active", target__code="dormant")

    response = admin_client.post(
        f"/admin/partnerships/lifecycletransition/{transition.pk}/change/",
        {
            "source": transition.source_id,
            "target": transition.target_id,
            "roles": '["cooperation_officer", "administrator"]',
            "approver_roles": "[]",
            "checks": "[]",
            "legal_basis": "Perwal 2027",
        },
    )

    assert response.status_code == 302
    transition.refresh_from_db()
    assert (transition.requires_reason, transition.legal_basis) == (False, "Perwal 2027")
    record = partnership_transition(partnership=partnership, target="dormant", actor=officer)
    assert record.status == "applied"


def test_the_transition_log_cannot_be_edited_or_deleted(admin_client: Client) -> None:
    officer = UserFactory.create(username="sari", organisation=standard_organisations().semarang)
    partnership = PartnershipFactory.create(
        local_region_id="33.74", state=LifecycleState.objects.get(code="active")
    )
    record = partnership_transition(
        partnership=partnership, target="dormant", actor=officer, reason="quiet"
    )
    url = f"/admin/partnerships/transitionrecord/{record.pk}/"

    assert admin_client.post(url + "change/", {"reason": "rewritten"}).status_code == 403
    assert admin_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert TransitionRecord.objects.get(pk=record.pk).reason == "quiet"
