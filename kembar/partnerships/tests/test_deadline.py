"""The council's 45 working days: set on entering council approval, shown, and overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.workdays import working_days_after
from kembar.partnerships.lifecycle import partnership_transition, partnership_transition_approve
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import LifecycleState, LifecycleTransition, TransitionRecord
from kembar.partnerships.selectors import StageDeadline, partnership_stage_deadline
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.test_lifecycle import satisfy

pytestmark = pytest.mark.django_db


def test_deadline_is_set_shown_and_turns_overdue(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    lifecycle_seed_apply(lifecycle_read(settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))
    orgs = standard_organisations()
    officer = UserFactory.create(username="officer", organisation=orgs.semarang)
    leader = UserFactory.create(username="leader", role=Role.LEADERSHIP, organisation=orgs.semarang)
    partnership = PartnershipFactory.create(
        slug="smg-plan",
        local_region=orgs.semarang.region,
        state=LifecycleState.objects.get(code="cooperation_plan"),
    )
    satisfy(
        partnership,
        LifecycleTransition.objects.get(
            source__code="cooperation_plan", target__code="council_approval"
        ),
        officer,
    )
    record = partnership_transition(
        partnership=partnership, target="council_approval", actor=officer
    )
    partnership_transition_approve(record=record, approver=leader)
    partnership.refresh_from_db()
    today = timezone.localdate()
    due = working_days_after(today, 45)

    assert partnership_stage_deadline(partnership, today=today) == StageDeadline(
        date=due, days_left=(due - today).days, overdue=False
    )
    client = Client()
    client.force_login(officer)
    client.cookies["kembar_language"] = "en"
    page = client.get("/staff/partnerships/smg-plan/").content.decode()
    assert f"Decision due by {due:%-d %B %Y} ({(due - today).days} days left)" in page

    TransitionRecord.objects.filter(pk=record.pk).update(deadline=today - dt.timedelta(days=2))

    assert partnership_stage_deadline(partnership, today=today).overdue is True  # type: ignore[union-attr]
    page = client.get("/staff/partnerships/smg-plan/").content.decode()
    assert f"Deadline passed on {today - dt.timedelta(days=2):%-d %B %Y}" in page
