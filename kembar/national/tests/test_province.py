"""The governor's view of a province, on the small national record (:mod:`.record`).

Besides the record: Kota Magelang has a cooperation plan before its regional
council since 2025-05-02 (deadline 2025-07-04, 45 working days later), and Kota
Semarang one waiting for the ministry's verification since 2025-04-01.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.geo.models import City, Region
from kembar.national.province import Deadline, province_overview
from kembar.national.refresh import national_refresh
from kembar.national.tests.record import Record
from kembar.partnerships.models import LifecycleState, TransitionRecord
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

PAGE = "/staff/national/province/{}/"


def _in_process(record: Record) -> None:
    council = LifecycleState.objects.create(
        code="council_approval", name_id="Persetujuan DPRD", name_en="Council approval", order=50
    )
    verification = LifecycleState.objects.create(
        code="ministry_verification",
        name_id="Verifikasi Kemendagri",
        name_en="Ministry verification",
        order=60,
    )
    tula = City.objects.create(
        id=480562,
        name="Tula",
        country=City.objects.get(name="Kobe").country,
        latitude=54.2,
        longitude=37.6,
    )
    magelang = PartnershipFactory.create(
        slug="mgl-tula",
        local_region=Region.objects.get(kode="33.71"),
        partner_city=tula,
        partner_country=tula.country,
        partner_name="Tula",
        is_public=False,
        documented_status="listed_only",
        state=council,
    )
    TransitionRecord.objects.create(
        partnership=magelang,
        target=council,
        status=TransitionRecord.Status.APPLIED,
        created_at=dt.datetime(2025, 5, 2, 9, tzinfo=dt.UTC),
        deadline=dt.date(2025, 7, 4),
    )
    semarang = record.partnerships["nanjing"]
    semarang.state = verification
    semarang.save()
    TransitionRecord.objects.create(
        partnership=semarang,
        target=verification,
        status=TransitionRecord.Status.APPLIED,
        created_at=dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC),
    )
    national_refresh()


def test_the_province_its_kab_kota_their_stages_deadlines_and_reports(record: Record) -> None:
    _in_process(record)

    overview = province_overview("33")

    assert overview is not None
    rows = {row["kode"]: row for row in overview.rows}
    assert list(rows) == ["33", "33.71", "33.74"]  # the province's own cooperation first
    assert [code for code, _name in overview.stage_columns] == [
        "council_approval",
        "ministry_verification",
        "dormant",
        "",
    ]
    assert {kode: row["stages"] for kode, row in rows.items()} == {
        "33": [0, 0, 0, 2],
        "33.71": [1, 0, 0, 0],
        "33.74": [0, 1, 1, 2],
    }
    assert [(rows[k]["partnerships"], rows[k]["active"], rows[k]["dormant"]) for k in rows] == [
        (2, 0, 1),
        (1, 0, 0),
        (4, 1, 2),
    ]
    assert overview.deadlines == [
        # 2025-06-30 is within 10 working days of 2025-07-04.
        Deadline(
            "33.71", "Kota Magelang", "mgl-tula", "Tula", "council", dt.date(2025, 7, 4), "due", 4
        ),
        Deadline(
            "33.74",
            "Kota Semarang",
            "smg-nanjing",
            "Nanjing",
            "verification",
            dt.date(2025, 4, 1),
            "waiting",
            90,
        ),
    ]
    reports = overview.reports()
    assert {status: [row["kode"] for row in found] for status, found in reports.items()} == {
        "late": ["33"],
        "on_time": ["33.74"],
    }
    assert province_overview("35") is None
    assert province_overview("33.74") is None


def test_an_overdue_council_decision_and_a_consultation_not_recorded(record: Record) -> None:
    _in_process(record)
    TransitionRecord.objects.filter(partnership__slug="mgl-tula").update(
        deadline=dt.date(2025, 6, 20)
    )
    exploring = PartnershipFactory.create(
        slug="mgl-exploring",
        local_region=Region.objects.get(kode="33.71"),
        partner_name="Somewhere",
        documented_status="listed_only",
        state=LifecycleState.objects.get(code="exploration"),
    )

    overview = province_overview("33")

    assert overview is not None
    assert [(d.partnership, d.status, d.days, d.days_late) for d in overview.deadlines] == [
        ("mgl-tula", "overdue", -10, 10),
        ("smg-nanjing", "waiting", 90, 0),
        (exploring.slug, "not_recorded", None, 0),
    ]


def _client(user: User, language: str = "en") -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_a_governor_sees_only_their_province(record: Record) -> None:
    _in_process(record)
    governor = _client(record.users["supervisor"])

    response = governor.get(PAGE.format("33"))

    html = response.content.decode()
    assert response.status_code == 200
    assert [
        kode for kode in ("33", "33.71", "33.74", "51", "51.71") if f'data-kode="{kode}"' in html
    ] == [
        "33",
        "33.71",
        "33.74",
    ]
    assert 'data-partnership="mgl-tula" data-status="due"' in html
    assert "4 days left" in html
    assert "Kota Denpasar" not in html and "Darwin" not in html
    assert governor.get(PAGE.format("51")).status_code == 403
    assert governor.get("/staff/national/province/")["Location"] == PAGE.format("33")
    # Not the ministry's national view.
    assert governor.get("/staff/national/").status_code == 403
    csv = governor.get(PAGE.format("33"), {"download": "regions"}).content.decode()
    assert csv.splitlines()[0].endswith(
        "stage:council_approval,stage:ministry_verification,stage:dormant,stage:none"
    )
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == ["33", "33.71", "33.74"]
    deadlines = governor.get(PAGE.format("33"), {"download": "deadlines"}).content.decode()
    assert deadlines.splitlines()[1] == "33.71,Kota Magelang,mgl-tula,Tula,council,2025-07-04,due,4"
    indonesian = _client(record.users["supervisor"], "id").get(PAGE.format("33")).content
    assert "Kerja sama internasional di Jawa Tengah" in indonesian.decode()


@pytest.mark.parametrize(
    ("user", "province", "status"),
    [
        ("ministry", "51", 200),
        ("administrator", "33", 200),
        ("officer", "33", 403),
        ("agency", "33", 403),
        ("partner", "33", 403),
    ],
)
def test_who_may_see_a_province(record: Record, user: str, province: str, status: int) -> None:
    assert _client(record.users[user]).get(PAGE.format(province)).status_code == status


def test_a_supervisor_of_a_kab_kota_organisation_sees_no_province(record: Record) -> None:
    semarang = Organisation.objects.get(slug="pemkot-semarang")
    misplaced = UserFactory.create(
        username="salah", role=Role.PROVINCE_SUPERVISOR, organisation=semarang
    )
    client = _client(misplaced)
    assert client.get(PAGE.format("33")).status_code == 403
    assert client.get("/staff/national/province/")["Location"] == "/staff/national/"
    bali = OrganisationFactory.create(
        slug="pemprov-bali",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=Region.objects.get(kode="51"),
    )
    governor: Any = UserFactory.create(
        username="gubernur-bali", role=Role.PROVINCE_SUPERVISOR, organisation=bali
    )
    html = _client(governor).get(PAGE.format("51")).content.decode()
    assert 'data-kode="51.71"' in html and 'data-kode="33.74"' not in html
    assert 'id="province-no-deadlines"' in html
