"""The partnership filters as conditions on rows of a partnership (activities, summaries).

``staff_partnerships_through`` and ``listed_partnerships_through`` must let each role see
exactly the activities that ``partnership IN (staff_partnerships(user))`` and
``… IN (listed_partnerships(user))`` let it see: they only change how PostgreSQL plans the
query (bench/national.py: the staff activity list over a national record, 4 s → 55 ms).
"""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory, standard_organisations
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.participation.models import Opportunity
from kembar.participation.tests.factories import OpportunityFactory
from kembar.partnerships.access import (
    listed_partnerships,
    listed_partnerships_through,
    staff_partnerships,
    staff_partnerships_through,
)
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity
from kembar.programs.selectors import activity_list
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class Two:
    users: dict[str, User | AnonymousUser]


@pytest.fixture
def two() -> Two:
    """Semarang (one public, one internal partnership) and Surabaya (the same), an activity each."""
    orgs = standard_organisations()
    surabaya_region = RegionFactory.create(kode="35.78", name="Kota Surabaya")
    surabaya = OrganisationFactory.create(
        slug="pemkot-surabaya",
        name="Pemerintah Kota Surabaya",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=surabaya_region,
    )
    japan = CountryFactory.create(iso2="JP", iso3="JPN", name_en="Japan", name_id="Jepang")
    kochi = CityFactory.create(id=1859146, name="Kochi", country=japan)
    partnerships = {
        "smg-public": PartnershipFactory.create(slug="smg-public", partner_city=orgs.partner_city),
        "smg-internal": PartnershipFactory.create(
            slug="smg-internal", partner_city=orgs.partner_city, is_public=False
        ),
        "sby-public": PartnershipFactory.create(
            slug="sby-public",
            local_region=surabaya_region,
            partner_country=japan,
            partner_city=kochi,
        ),
        "sby-internal": PartnershipFactory.create(
            slug="sby-internal",
            local_region=surabaya_region,
            partner_country=japan,
            partner_city=kochi,
            is_public=False,
        ),
    }
    for slug, partnership in partnerships.items():
        ActivityFactory.create(reference=f"A-{slug}", partnership=partnership)
    users: dict[str, User | AnonymousUser] = {
        "anonymous": AnonymousUser(),
        "semarang officer": UserFactory.create(
            username="smg", role=Role.COOPERATION_OFFICER, organisation=orgs.semarang
        ),
        "surabaya agency officer": UserFactory.create(
            username="sby", role=Role.AGENCY_OFFICER, organisation=surabaya
        ),
        "Brisbane counterpart": UserFactory.create(
            username="bne", role=Role.PARTNER_COUNTERPART, organisation=orgs.partner_government
        ),
        "administrator": UserFactory.create(
            username="admin", role=Role.ADMINISTRATOR, organisation=orgs.semarang
        ),
        "ministry": UserFactory.create(
            username="kemendagri",
            role=Role.MINISTRY,
            organisation=OrganisationFactory.create(slug="kemendagri", name="Kemendagri"),
        ),
    }
    return Two(users)


def _slugs(activities: object) -> set[str]:
    return {reference.removeprefix("A-") for reference in activities}  # type: ignore[attr-defined]


STAFF = {
    "anonymous": set(),
    "semarang officer": {"smg-public", "smg-internal"},
    "surabaya agency officer": {"sby-public", "sby-internal"},
    "Brisbane counterpart": {"smg-public", "smg-internal"},
    "administrator": {"smg-public", "smg-internal", "sby-public", "sby-internal"},
    "ministry": set(),
}
LISTED = {
    "anonymous": {"smg-public", "sby-public"},
    "semarang officer": {"smg-public", "smg-internal", "sby-public"},
    "surabaya agency officer": {"smg-public", "sby-public", "sby-internal"},
    "Brisbane counterpart": {"smg-public", "smg-internal"},
    "administrator": {"smg-public", "smg-internal", "sby-public", "sby-internal"},
    "ministry": {"smg-public", "sby-public"},
}


@pytest.mark.parametrize("who", sorted(STAFF))
def test_the_same_activities_as_the_subquery(two: Two, who: str) -> None:
    user = two.users[who]
    references = Activity.objects.values_list("reference", flat=True)
    staff = _slugs(references.filter(staff_partnerships_through(user)))
    listed = _slugs(references.filter(listed_partnerships_through(user)))
    assert staff == STAFF[who]
    assert listed == LISTED[who]
    assert staff == _slugs(references.filter(partnership__in=staff_partnerships(user)))
    assert listed == _slugs(references.filter(partnership__in=listed_partnerships(user)))


def test_through_a_longer_path(two: Two) -> None:
    for slug in ("smg-internal", "sby-public"):
        OpportunityFactory.create(activity=Activity.objects.get(reference=f"A-{slug}"))
    user = two.users["semarang officer"]
    path = "activity__partnership"
    seen = Opportunity.objects.filter(staff_partnerships_through(user, path))
    assert [o.activity.reference for o in seen] == ["A-smg-internal"]
    listed = Opportunity.objects.filter(listed_partnerships_through(user, path))
    assert sorted(o.activity.reference for o in listed) == ["A-sby-public", "A-smg-internal"]


def test_the_staff_activity_list_filters_on_the_joined_partnership(two: Two) -> None:
    """No ``partnership_id IN (SELECT …)``: the region's condition is on the partnership joined."""
    user = two.users["semarang officer"]
    with CaptureQueriesContext(connection) as queries:
        references = [a.reference for a in activity_list(user=user, include_public=False)]
    # Both start on the same day: then by reference.
    assert references == ["A-smg-internal", "A-smg-public"]
    sql = queries.captured_queries[0]["sql"]
    assert "IN (SELECT" not in sql
    assert '"partnerships_partnership"."local_region_id" = ' in sql
