"""Breadth from the record: what the activities reached, by date, against the totals.

The world: three sectors (16, 9, 12), Semarang's agencies Dinas Pendidikan and
Dinas Perdagangan (Magelang's agency is not Semarang's), kecamatan 33.74.01
and 33.74.02 of Kota Semarang, the seven stakeholder groups.

Brisbane's activities:

- 2024-03-04, education, Dinas Pendidikan, in kelurahan 33.74.01.1001
  (counts for kecamatan 33.74.01), 5 students and 0 media people;
- 2024-09-02, trade, Magelang's agency (outside the totals: not counted), in
  Magelang (not a kecamatan of Semarang), 3 business people;
- a planned one (2024-10-01, sector 12, Dinas Perdagangan, kecamatan 33.74.02)
  and a demonstration one (2024-11-01, the same): not facts, or not counted
  when demonstration records are left out.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.accounts.models import Organisation, OrganisationKind
from kembar.accounts.tests.factories import OrganisationFactory, standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.health_breadth import partnership_breadth
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity, ParticipantCount
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

pytestmark = pytest.mark.django_db


def _count(activity: Activity, group: str, count: int) -> None:
    ParticipantCount.objects.create(
        activity=activity, side="local", group=group, gender="female", age_band="15-24", count=count
    )


@pytest.fixture
def brisbane() -> int:
    orgs = standard_organisations()
    trade = OrganisationFactory.create(
        slug="disdag-semarang",
        name="Dinas Perdagangan",
        kind=OrganisationKind.AGENCY,
        parent=orgs.semarang,
    )
    magelang_agency = OrganisationFactory.create(
        slug="disdag-magelang",
        name="Disdag Magelang",
        kind=OrganisationKind.AGENCY,
        parent=orgs.magelang,
    )
    education = SectorFactory.create(code=16)
    commerce = SectorFactory.create(code=9, name_id="Perdagangan", name_en="Trade")
    other = SectorFactory.create(code=12, name_id="Informasi", name_en="Information")
    RegionFactory.create(kode="33.74.02")
    partnership = PartnershipFactory.create(slug="smg-brisbane", partner_city=orgs.partner_city)
    first = ActivityFactory.create(
        partnership=partnership,
        sector=education,
        agency=orgs.dinas_pendidikan,
        place_region=RegionFactory.create(kode="33.74.01.1001"),
        start_date=dt.date(2024, 3, 4),
        end_date=dt.date(2024, 3, 5),
    )
    _count(first, "students_youth", 5)
    _count(first, "media", 0)
    second = ActivityFactory.create(
        partnership=partnership,
        sector=commerce,
        agency=magelang_agency,
        place_region=RegionFactory.create(kode="33.71.01"),
        start_date=dt.date(2024, 9, 2),
        end_date=dt.date(2024, 9, 2),
    )
    _count(second, "business", 3)
    for status, day, demo in (("planned", 1, False), ("completed", 2, True)):
        activity = ActivityFactory.create(
            partnership=partnership,
            sector=other,
            agency=trade,
            place_region=RegionFactory.create(kode="33.74.02.1001"),
            start_date=dt.date(2024, 10 + day - 1, 1),
            end_date=dt.date(2024, 10 + day - 1, 1),
            status=status,
        )
        Activity.objects.filter(pk=activity.pk).update(is_demo=demo)
        _count(activity, "academia", 4)
    assert Organisation.objects.filter(kind=OrganisationKind.AGENCY).count() == 3
    return partnership.pk


def test_breadth_by_date(brisbane: int) -> None:
    breadth = partnership_breadth(Partnership.objects.filter(pk=brisbane))[brisbane]
    assert breadth.as_of(dt.date(2024, 3, 3)) == {
        "sectors": (0, 3),
        "agencies": (0, 2),
        "kecamatan": (0, 2),
        "groups": (0, 7),
    }
    assert breadth.as_of(dt.date(2024, 3, 4)) == {
        "sectors": (1, 3),
        "agencies": (1, 2),
        "kecamatan": (1, 2),
        "groups": (1, 7),
    }
    assert breadth.as_of(dt.date(2024, 12, 31)) == {
        "sectors": (3, 3),  # education, trade, and the demonstration one's information
        "agencies": (2, 2),  # Dinas Pendidikan, and Dinas Perdagangan (demonstration)
        "kecamatan": (2, 2),
        "groups": (3, 7),  # students, business, academia (demonstration)
    }


def test_demonstration_records_left_out_when_asked(brisbane: int) -> None:
    breadth = partnership_breadth(Partnership.objects.filter(pk=brisbane), demo=False)[brisbane]
    assert breadth.as_of(dt.date(2024, 12, 31)) == {
        "sectors": (2, 3),
        "agencies": (1, 2),
        "kecamatan": (1, 2),
        "groups": (2, 7),
    }
