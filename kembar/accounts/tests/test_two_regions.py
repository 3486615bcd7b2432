"""Two regions side by side: each region's staff see their own records and never the other's.

Kota Semarang (33.74) and Kota Surabaya (35.78) are set up with ``setup_region``; each
has a partnership not shown to the public, an activity under it, a lesson, a practice
sought and a capacity plan, all with names found nowhere else.  Every local role of
each region, a province supervisor (the governor's office of Jawa Tengah) and the
ministry ask for the staff pages and the staff API; the matrix below says what each
must get, in both directions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from kembar.accounts import region_setup
from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.region_setup import setup_region
from kembar.accounts.regions import user_region
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.geo.models import Region
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.insights.models import CapacityPlan, StaffCapacity
from kembar.knowledge.models import Lesson, LessonStatus, Practice, PracticeDirection
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

LOCAL_ROLES = ("cooperation_officer", "agency_officer", "leadership", "council_member")


@dataclass(frozen=True)
class Side:
    """One region's planted records: their unique words, and its people."""

    kode: str
    partnership: str
    partner_name: str
    activity: str
    activity_title: str
    lesson_title: str
    practice_title: str
    agency_name: str
    users: dict[str, User]

    @property
    def words(self) -> tuple[str, ...]:
        """What only this region's staff may read."""
        return (
            self.partnership,
            self.partner_name,
            self.activity,
            self.activity_title,
            self.lesson_title,
            self.practice_title,
            self.agency_name,
        )


def _side(kode: str, name: str, code: str, partner: str) -> Side:
    setup = setup_region(kode)
    region = Region.objects.get(kode=kode)
    agency = next(r.organisation for r in setup.units if r.unit.slug.endswith("-urusan-1-01"))
    partnership = PartnershipFactory.create(
        slug=f"{code.lower()}-internal",
        local_region=region,
        partner_name=f"{partner} (internal to {name})",
        partner_city=CityFactory.create(name=partner, country=CountryFactory.create(iso2="JP")),
        partner_country=CountryFactory.create(iso2="JP"),
        is_public=False,
    )
    activity = ActivityFactory.create(
        reference=f"{code}-INT-01",
        partnership=partnership,
        agency=agency,
        title_id=f"Kegiatan internal {name}",
        title_en=f"Internal activity of {name}",
        start_date=dt.date(2025, 3, 3),
        end_date=dt.date(2025, 3, 7),
    )
    sector, affair = SectorFactory.create(), GovernmentAffairFactory.create()
    lesson = Lesson.objects.create(
        region=region,
        agency=agency,
        title_id=f"Pelajaran internal {name}",
        sector=sector,
        government_affair=affair,
        partnership=partnership,
        status=LessonStatus.REVIEWED,
    )
    practice = Practice.objects.create(
        region=region,
        direction=PracticeDirection.SOUGHT,
        title_id=f"Praktik dicari {name}",
        sector=sector,
        government_affair=affair,
        contact_agency=agency,
    )
    plan = CapacityPlan.objects.create(
        region=region, year=timezone.localdate().year, cooperation_office=setup.cooperation_office
    )
    StaffCapacity.objects.create(
        plan=plan, organisation=setup.cooperation_office, staff_days_per_month=10
    )
    organisations = {
        Role.COOPERATION_OFFICER: setup.cooperation_office,
        Role.AGENCY_OFFICER: agency,
        Role.LEADERSHIP: setup.local_government,
        Role.COUNCIL_MEMBER: setup.council,
    }
    users = {
        str(role): UserFactory.create(
            username=f"{role}-{code.lower()}", role=role, organisation=organisation
        )
        for role, organisation in organisations.items()
    }
    return Side(
        kode=kode,
        partnership=partnership.slug,
        partner_name=partnership.partner_name,
        activity=activity.reference,
        activity_title=activity.title_id,
        lesson_title=lesson.title_id,
        practice_title=practice.title_id,
        agency_name=agency.name,
        users=users,
    )


@dataclass(frozen=True)
class World:
    sides: dict[str, Side]
    supervisors: dict[str, User]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    # The starting record is not part of this test: the setup runs without it.
    monkeypatch.setattr(region_setup, "NATIONAL_RECORD_MODULE", "kembar.accounts.tests.none")
    RegionFactory.create(kode="33", name="Jawa Tengah")
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    RegionFactory.create(kode="35", name="Jawa Timur")
    RegionFactory.create(kode="35.78", name="Kota Surabaya")
    sides = {
        "semarang": _side("33.74", "Kota Semarang", "SMG", "Kitakyushu"),
        "surabaya": _side("35.78", "Kota Surabaya", "SBY", "Busan"),
    }
    governor = OrganisationFactory.create(
        slug="pemprov-jateng",
        name="Pemerintah Provinsi Jawa Tengah",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=Region.objects.get(kode="33"),
    )
    ministry = OrganisationFactory.create(
        slug="kemendagri", name="Kementerian Dalam Negeri", kind=OrganisationKind.OTHER
    )
    supervisors = {
        "province_supervisor": UserFactory.create(
            username="gubernur", role=Role.PROVINCE_SUPERVISOR, organisation=governor
        ),
        "ministry": UserFactory.create(
            username="mendagri", role=Role.MINISTRY, organisation=ministry
        ),
    }
    return World(sides, supervisors)


def _pages(side: Side) -> dict[str, str]:
    return {
        "partnership list": "/staff/",
        "partnership detail": f"/staff/partnerships/{side.partnership}/",
        "activity detail": f"/staff/activities/{side.activity}/",
        "lessons": "/staff/knowledge/",
        "practices": "/staff/knowledge/practices/",
        "health": "/staff/insights/health/",
        "reach": "/staff/insights/reach/",
        "capacity": "/staff/insights/capacity/",
        "api partnerships": "/api/v1/partnerships/",
        "api activities": "/api/v1/activities/",
        "api health": "/api/v1/insights/health/",
    }


#: What a local user of a region gets on each page, about their own region's records:
#: the status and whether the region's planted words show.
OWN = {
    "partnership list": (200, True),
    "partnership detail": (200, True),
    "activity detail": (200, True),
    "lessons": (200, True),
    "practices": (200, True),
    "health": (200, True),
    "reach": (200, True),
    "api partnerships": (200, True),
    "api activities": (200, True),
    "api health": (200, True),
}
#: The capacity page is for the cooperation office and leadership only.
CAPACITY = {
    "cooperation_officer": (200, True),
    "agency_officer": (403, False),
    "leadership": (200, True),
    "council_member": (403, False),
}
#: What anyone gets about a region that is not theirs (a local user of the other region).
OTHERS = {
    "partnership list": 200,
    "partnership detail": 404,
    "activity detail": 404,
    "lessons": 200,
    "practices": 200,
    "health": 200,
    "reach": 200,
    "capacity": None,  # their own capacity page (or 403): see CAPACITY
    "api partnerships": 200,
    "api activities": 200,
    "api health": 200,
}
#: Supervisors on these ordinary staff pages: nothing of any region's internal record.
SUPERVISORS = {
    "partnership list": 200,
    "partnership detail": 404,
    "activity detail": 404,
    "lessons": 403,
    "practices": 403,
    "health": 200,
    "reach": 200,
    "capacity": 403,
    "api partnerships": 200,
    "api activities": 200,
    "api health": 200,
}


def _get(user: User, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def _shown(side: Side, text: str, url: str = "") -> list[str]:
    """The side's words in ``text``, but those of the address asked for (a 404 page repeats it)."""
    return [word for word in side.words if word in text and word not in url]


@pytest.mark.parametrize("role", LOCAL_ROLES)
@pytest.mark.parametrize(("home", "other"), [("semarang", "surabaya"), ("surabaya", "semarang")])
def test_staff_see_their_own_region_and_nothing_of_the_other(
    world: World, role: str, home: str, other: str
) -> None:
    mine, theirs = world.sides[home], world.sides[other]
    user = mine.users[role]
    assert user_region(user) == mine.kode
    got_own: dict[str, tuple[int, bool]] = {}
    got_other: dict[str, int] = {}

    for page, url in _pages(mine).items():
        status, text = _get(user, url)
        # Own records: present where the page is theirs to see.
        got_own[page] = (status, bool(_shown(mine, text)))
        # The other region's records: never, on any of their pages.
        assert _shown(theirs, text) == [], (page, _shown(theirs, text))
    for page, url in _pages(theirs).items():
        status, text = _get(user, url)
        got_other[page] = status
        assert _shown(theirs, text, url) == [], (page, _shown(theirs, text, url))

    assert got_own == {**OWN, "capacity": CAPACITY[role]}
    assert got_other == {**OTHERS, "capacity": CAPACITY[role][0]}


@pytest.mark.parametrize("who", ["province_supervisor", "ministry"])
def test_supervisors_see_no_internal_record_on_the_staff_pages(world: World, who: str) -> None:
    user = world.supervisors[who]
    for side in world.sides.values():
        got: dict[str, int] = {}
        for page, url in _pages(side).items():
            status, text = _get(user, url)
            got[page] = status
            assert _shown(side, text, url) == [], (page, _shown(side, text, url))
        assert got == SUPERVISORS


def test_own_words_on_the_pages_are_exactly_the_expected_ones(world: World) -> None:
    """What "present" means above, for one officer: each page shows its own record's words."""
    side = world.sides["surabaya"]
    officer = side.users["cooperation_officer"]
    pages = _pages(side)

    shown = {page: _shown(side, _get(officer, url)[1]) for page, url in pages.items()}

    partnership = [side.partnership, side.partner_name]
    activity = [*partnership, side.activity, side.activity_title, side.agency_name]
    assert shown == {
        "partnership list": partnership,
        "partnership detail": partnership,
        "activity detail": activity,
        "lessons": [side.lesson_title, side.agency_name],
        "practices": [side.practice_title, side.agency_name],
        "health": partnership,
        "reach": partnership,
        "capacity": [side.agency_name],
        "api partnerships": partnership,
        "api activities": activity,
        "api health": partnership,
    }
