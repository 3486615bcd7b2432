from __future__ import annotations

from dataclasses import dataclass

import pytest

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.geo.models import Region, RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity
from kembar.programs.tests.factories import ActivityFactory


@dataclass
class People:
    orgs: StandardOrganisations
    officer: User
    agency_officer: User
    other_agency_officer: User
    magelang_officer: User
    council: User
    partnership: Partnership
    activity: Activity
    tengah: Region
    utara: Region
    tugu: Region


@pytest.fixture
def people(db: None) -> People:
    """Semarang with three kecamatan (10,000 / 20,000 / 70,000 residents) and an activity."""
    orgs = standard_organisations()
    districts = [
        RegionFactory.create(kode=f"33.74.0{number}", name=name)
        for number, name in ((1, "Semarang Tengah"), (2, "Semarang Utara"), (3, "Tugu"))
    ]
    for region, population in zip(districts, (10_000, 20_000, 70_000), strict=True):
        RegionPopulation.objects.create(
            region=region, year=2022, kind="observed", population=population, source="test"
        )
    RegionFactory.create(kode="33.71.01", name="Magelang Selatan")
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
        reference="SMG-BNE-2026-01",
        partnership=partnership,
        agency=orgs.dinas_pendidikan,
        status="planned",
    )
    tengah, utara, tugu = districts
    return People(
        orgs=orgs,
        officer=UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang),
        agency_officer=UserFactory.create(
            role=Role.AGENCY_OFFICER, organisation=orgs.dinas_pendidikan
        ),
        other_agency_officer=UserFactory.create(role=Role.AGENCY_OFFICER, organisation=tourism),
        magelang_officer=UserFactory.create(
            role=Role.COOPERATION_OFFICER, organisation=orgs.magelang
        ),
        council=UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=orgs.dprd_semarang),
        partnership=partnership,
        activity=activity,
        tengah=tengah,
        utara=utara,
        tugu=tugu,
    )
