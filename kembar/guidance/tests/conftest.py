"""Two regions for the guidance tests: Kota Semarang (33.74) and Kota Magelang (33.71)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    force_login_with_second_factor,
    standard_organisations,
)
from kembar.knowledge.models import Practice
from kembar.knowledge.services import practice_save
from kembar.programs.models import GovernmentAffair, Sector
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory


@dataclass
class World:
    orgs: StandardOrganisations
    magelang_agency: Organisation
    semarang_officer: User
    magelang_officer: User
    magelang_agency_officer: User
    education: Sector
    tourism: Sector
    urusan_education: GovernmentAffair
    urusan_tourism: GovernmentAffair

    def practice(self, title: str, *, region: str = "33.71", **extra: object) -> Practice:
        actor = self.magelang_officer if region == "33.71" else self.semarang_officer
        data = {
            "direction": "offered",
            "title_id": title,
            "sector": self.education,
            "government_affair": self.urusan_education,
            **extra,
        }
        return practice_save(actor=actor, region_id=region, data=data)


def signed_in(user: User) -> Client:
    client = Client()
    force_login_with_second_factor(client, user)
    return client


@pytest.fixture
def world() -> World:
    orgs = standard_organisations()
    magelang_agency = OrganisationFactory.create(
        slug="disdik-magelang",
        name="Dinas Pendidikan Kota Magelang",
        kind=OrganisationKind.AGENCY,
        parent=orgs.magelang,
    )
    return World(
        orgs=orgs,
        magelang_agency=magelang_agency,
        semarang_officer=UserFactory.create(
            username="ani", role=Role.COOPERATION_OFFICER, organisation=orgs.semarang
        ),
        magelang_officer=UserFactory.create(
            username="bayu", role=Role.COOPERATION_OFFICER, organisation=orgs.magelang
        ),
        magelang_agency_officer=UserFactory.create(
            username="citra", role=Role.AGENCY_OFFICER, organisation=magelang_agency
        ),
        education=SectorFactory.create(),
        tourism=SectorFactory.create(code=12, name_id="Penyediaan Akomodasi", name_en="Tourism"),
        urusan_education=GovernmentAffairFactory.create(),
        urusan_tourism=GovernmentAffairFactory.create(
            code="3.26", name_id="Pariwisata", name_en="Tourism"
        ),
    )
