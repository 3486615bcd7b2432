"""A small Semarang for the knowledge tests: a completed activity, its agency and officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.knowledge.models import FollowUp, Lesson, Reflection
from kembar.knowledge.services import lesson_apply, reflection_review, reflection_submit
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity
from kembar.programs.tests.factories import ActivityFactory, SdgTargetFactory

END = dt.date(2025, 3, 3)


@dataclass
class World:
    orgs: StandardOrganisations
    officer: User
    agency_officer: User
    other_agency_officer: User
    partner: User
    partnership: Partnership
    activity: Activity

    def lesson(self) -> Lesson:
        """A reviewed lesson, from the activity's accepted reflection."""
        reflection_submit(
            actor=self.agency_officer,
            activity=self.activity,
            learned="Sekolah Brisbane memakai portofolio digital.",
            will_change="Uji coba portofolio di 5 SD.",
        )
        lesson = reflection_review(
            actor=self.officer,
            reflection=Reflection.objects.get(activity=self.activity),
            accept=True,
        )
        assert lesson is not None
        return lesson

    def follow_up(self) -> FollowUp:
        return lesson_apply(actor=self.agency_officer, lesson=self.lesson(), note="Rencana")


@pytest.fixture
def world() -> World:
    orgs = standard_organisations()
    tourism = OrganisationFactory.create(
        slug="disbudpar-semarang",
        name="Dinas Kebudayaan dan Pariwisata",
        kind=OrganisationKind.AGENCY,
        parent=orgs.semarang,
    )
    partnership = PartnershipFactory.create(
        slug="smg-brisbane", partner_city=orgs.partner_city, partner_name="Brisbane"
    )
    activity = ActivityFactory.create(
        reference="SMG-BNE-2025-01",
        partnership=partnership,
        agency=orgs.dinas_pendidikan,
        title_id="Pelatihan guru",
        title_en="Teacher training",
        description_id="Guru SD belajar asesmen.",
        start_date=END - dt.timedelta(days=4),
        end_date=END,
    )
    activity.sdg_targets.set([SdgTargetFactory.create()])
    return World(
        orgs=orgs,
        officer=UserFactory.create(
            username="ani", role=Role.COOPERATION_OFFICER, organisation=orgs.semarang
        ),
        agency_officer=UserFactory.create(
            username="budi", role=Role.AGENCY_OFFICER, organisation=orgs.dinas_pendidikan
        ),
        other_agency_officer=UserFactory.create(
            username="citra", role=Role.AGENCY_OFFICER, organisation=tourism
        ),
        partner=UserFactory.create(
            username="dave", role=Role.PARTNER_COUNTERPART, organisation=orgs.partner_government
        ),
        partnership=partnership,
        activity=activity,
    )
