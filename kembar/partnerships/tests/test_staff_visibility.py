"""A partner counterpart's staff pages list only the partnerships with their city.

Every staff list, filter and selector asks one function
(:func:`kembar.partnerships.access.staff_partnerships`); before it, the
activity list and the reach filter also offered other partnerships because
they were public.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.access import staff_partnerships
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class Setting:
    partner: User
    officer: User


@pytest.fixture
def setting() -> Setting:
    orgs = standard_organisations()
    tengah = RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane", partner_city=orgs.partner_city, partner_name="Brisbane"
    )
    china = CountryFactory.create(iso2="CN", iso3="CHN", name_en="China", name_id="Tiongkok")
    fuzhou = PartnershipFactory.create(
        slug="smg-fuzhou",
        partner_country=china,
        partner_city=CityFactory.create(id=1810821, name="Fuzhou", country=china),
        partner_name="Fuzhou",
    )
    hidden = PartnershipFactory.create(slug="smg-hidden", partner_name="Hidden", is_public=False)
    for reference, partnership, people in (
        ("BNE-1", brisbane, 12),
        ("FOC-1", fuzhou, 30),
        ("HID-1", hidden, 7),
    ):
        activity_save(
            actor=officer,
            data=ActivityData(
                reference=reference,
                partnership=partnership,
                kind="training",
                title_id=reference,
                agency=orgs.dinas_pendidikan,
                start_date=dt.date(2024, 5, 3),
                end_date=dt.date(2024, 5, 4),
                status="completed",
                sector=SectorFactory.create(),
                government_affair=GovernmentAffairFactory.create(),
                participants_local=people,
                participants_partner=0,
            ),
            participants=[ParticipantRow("local", "government", "male", "25-44", people, tengah)],
        )
    partner = UserFactory.create(
        role=Role.PARTNER_COUNTERPART, organisation=orgs.partner_government
    )
    return Setting(partner=partner, officer=officer)


def _login(client: Client, user: User) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _choices(response: Any, field: str = "partnership") -> list[str]:
    return [partnership.slug for partnership in response.context["form"].fields[field].queryset]


def test_staff_partnerships_follow_the_rules(setting: Setting) -> None:
    assert sorted(p.slug for p in staff_partnerships(setting.partner)) == ["smg-brisbane"]
    assert sorted(p.slug for p in staff_partnerships(setting.officer)) == [
        "smg-brisbane",
        "smg-fuzhou",
        "smg-hidden",
    ]


def test_activity_list_shows_only_their_partnerships(client: Client, setting: Setting) -> None:
    response = _login(client, setting.partner).get("/staff/activities/")
    assert response.status_code == 200
    assert [activity.reference for activity in response.context["page"]] == ["BNE-1"]
    assert _choices(response) == ["smg-brisbane"]


def test_activity_of_another_public_partnership_is_not_found(
    client: Client, setting: Setting
) -> None:
    client = _login(client, setting.partner)
    assert client.get("/staff/activities/BNE-1/").status_code == 200
    assert client.get("/staff/activities/FOC-1/").status_code == 404


def test_officer_still_sees_every_partnership_of_the_region(
    client: Client, setting: Setting
) -> None:
    response = _login(client, setting.officer).get("/staff/activities/?sort=reference")
    assert [activity.reference for activity in response.context["page"]] == [
        "BNE-1",
        "FOC-1",
        "HID-1",
    ]


def test_reach_filter_and_figures_are_their_partnerships(client: Client, setting: Setting) -> None:
    response = _login(client, setting.partner).get("/staff/insights/reach/")
    assert response.status_code == 200
    assert _choices(response) == ["smg-brisbane"]
    # Brisbane's 12 participants, not the 42 of every public partnership.
    assert response.context["total"] == 12


def test_economy_filter_is_their_partnerships(client: Client, setting: Setting) -> None:
    response = _login(client, setting.partner).get("/staff/insights/economy/")
    assert response.status_code == 200
    assert _choices(response) == ["smg-brisbane"]
