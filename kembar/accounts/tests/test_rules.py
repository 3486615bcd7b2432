"""Who may see and change which partnership: the rules as a table."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import StandardOrganisations, UserFactory
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

VIEW = "partnerships.view_partnership"
CHANGE = "partnerships.change_partnership"


def make_user(who: str, orgs: StandardOrganisations) -> Any:
    """The person described by ``who``, in the standard organisations."""
    if who == "anonymous":
        return AnonymousUser()
    role, organisation = {
        "administrator": (Role.ADMINISTRATOR, None),
        "cooperation officer 33.74": (Role.COOPERATION_OFFICER, orgs.semarang),
        "agency officer 33.74": (Role.AGENCY_OFFICER, orgs.dinas_pendidikan),
        "leadership 33.74": (Role.LEADERSHIP, orgs.semarang),
        "council member 33.74": (Role.COUNCIL_MEMBER, orgs.dprd_semarang),
        "partner counterpart": (Role.PARTNER_COUNTERPART, orgs.partner_government),
        "cooperation officer 33.71": (Role.COOPERATION_OFFICER, orgs.magelang),
        "no role, Semarang": ("", orgs.semarang),
    }[who]
    return UserFactory.create(role=role, organisation=organisation)


@pytest.fixture
def partnerships(orgs: StandardOrganisations) -> dict[str, Partnership]:
    other_city = CityFactory.create(
        id=1850147, name="Tokyo", country=CountryFactory.create(iso2="JP")
    )
    return {
        "33.74 with the partner city": PartnershipFactory.create(
            slug="smg-brisbane",
            partner_city=orgs.partner_city,
            partner_country=orgs.partner_city.country,
        ),
        "33.74 with another city": PartnershipFactory.create(
            slug="smg-tokyo", partner_city=other_city, partner_country=other_city.country
        ),
        "33.71 with another city": PartnershipFactory.create(
            slug="mgl-tokyo",
            local_region=RegionFactory.create(kode="33.71"),
            partner_city=other_city,
            partner_country=other_city.country,
        ),
    }


# (view, change) on each partnership.
ALL = (True, True)
VIEW_ONLY = (True, False)
NONE = (False, False)

OBJECT_MATRIX = [
    # who,                          33.74 × partner city, 33.74 × other, 33.71 × other
    ("administrator", ALL, ALL, ALL),
    ("cooperation officer 33.74", ALL, ALL, NONE),
    ("agency officer 33.74", VIEW_ONLY, VIEW_ONLY, NONE),
    ("leadership 33.74", VIEW_ONLY, VIEW_ONLY, NONE),
    ("council member 33.74", VIEW_ONLY, VIEW_ONLY, NONE),
    ("partner counterpart", VIEW_ONLY, NONE, NONE),
    ("cooperation officer 33.71", NONE, NONE, ALL),
    ("no role, Semarang", NONE, NONE, NONE),
    ("anonymous", NONE, NONE, NONE),
]


@pytest.mark.parametrize(
    ("who", "with_partner", "semarang_other", "magelang_other"),
    OBJECT_MATRIX,
    ids=[row[0] for row in OBJECT_MATRIX],
)
def test_partnership_permissions(
    orgs: StandardOrganisations,
    partnerships: dict[str, Partnership],
    who: str,
    with_partner: tuple[bool, bool],
    semarang_other: tuple[bool, bool],
    magelang_other: tuple[bool, bool],
) -> None:
    user = make_user(who, orgs)

    granted = {
        name: (user.has_perm(VIEW, partnership), user.has_perm(CHANGE, partnership))
        for name, partnership in partnerships.items()
    }

    assert granted == {
        "33.74 with the partner city": with_partner,
        "33.74 with another city": semarang_other,
        "33.71 with another city": magelang_other,
    }


GENERAL_MATRIX = [
    # who,                         view any, add/change any, staff area
    ("administrator", True, True, True),
    ("cooperation officer 33.74", True, True, True),
    ("agency officer 33.74", True, False, True),
    ("leadership 33.74", True, False, True),
    ("council member 33.74", True, False, True),
    ("partner counterpart", True, False, True),
    ("cooperation officer 33.71", True, True, True),
    ("no role, Semarang", False, False, False),
    ("anonymous", False, False, False),
]


@pytest.mark.parametrize(
    ("who", "view", "change", "staff_area"),
    GENERAL_MATRIX,
    ids=[row[0] for row in GENERAL_MATRIX],
)
def test_permissions_without_an_object(
    orgs: StandardOrganisations, who: str, view: bool, change: bool, staff_area: bool
) -> None:
    user = make_user(who, orgs)

    assert {
        "view": user.has_perm(VIEW),
        "change": user.has_perm(CHANGE),
        "add": user.has_perm("partnerships.add_partnership"),
        "staff_area": user.has_perm("accounts.access_staff_area"),
    } == {"view": view, "change": change, "add": change, "staff_area": staff_area}


def test_agency_serves_the_region_of_its_government(orgs: StandardOrganisations) -> None:
    assert orgs.dinas_pendidikan.region_id is None
    assert orgs.dinas_pendidikan.home_region_id == "33.74"
    assert orgs.dprd_semarang.home_region_id == "33.74"
    assert orgs.partner_government.home_region_id is None
