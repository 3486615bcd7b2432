"""The open-data package on a small record made by hand.

Kota Semarang with three kecamatan (10,000 / 20,000 / 70,000 residents).  The
public partnership smg-brisbane has one activity, A-1, with 83 local people
(50 from Semarang Tengah, 30 from Semarang Utara, 3 from Tugu) and 6 partner
people; an internal partnership, smg-internal, has A-2 with 20 people from Tugu.
Public reach: 83 people; Tugu's 3 are suppressed and, so that they cannot be
computed from the total, Semarang Utara's 30 too.  Personal strings are
planted in a trip report, a registration and a lifecycle move's reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from frictionless import validate

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.common.public_cache import bump
from kembar.geo.models import RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.opendata import build
from kembar.opendata.datasets import DATASETS
from kembar.opendata.tasks import open_data_refresh
from kembar.participation.tests.factories import person, published_call, register
from kembar.partnerships.models import LifecycleState, TransitionRecord
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ContributionRow,
    ParticipantRow,
    ResultRow,
    TravellerRow,
    activity_budget_set,
    activity_contributions_set,
    activity_result_record,
    activity_save,
    trip_report_save,
)
from kembar.programs.models import Activity
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db

TRAVELLER = "Bambang Traveller Sutrisno"
REGISTRANT = "Siti Registrant Aminah"
EMAIL = "siti.registrant@example.org"
REASON = "Alasan internal pejabat Joko"
PLANTED = (TRAVELLER, REGISTRANT, EMAIL, REASON, "smg-internal", "A-2")


@dataclasses.dataclass
class Record:
    orgs: StandardOrganisations
    officer: Any
    activity: Activity


def _activity(
    officer: Any,
    orgs: StandardOrganisations,
    reference: str,
    partnership: Any,
    rows: list[ParticipantRow],
) -> Activity:
    data = ActivityData(
        reference=reference,
        partnership=partnership,
        kind="exchange_outbound",
        title_id=f"Pelatihan {reference}",
        title_en=f"Training {reference}",
        agency=orgs.dinas_pendidikan,
        start_date=dt.date(2024, 5, 3),
        end_date=dt.date(2024, 5, 4),
        status="completed",
        sector=SectorFactory.create(),
        government_affair=GovernmentAffairFactory.create(),
        participants_local=sum(row.count for row in rows if row.side == "local"),
        participants_partner=sum(row.count for row in rows if row.side == "partner"),
    )
    activity, _created = activity_save(actor=officer, data=data, participants=rows)
    return activity


@pytest.fixture
def record(tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any) -> Record:
    settings.KEMBAR_OPEN_DATA_DIR = tmp_path / "served"
    settings.KEMBAR_HOME_REGION = "33.74"
    # As if each write committed: what runs after commit (the data generation's renewal) runs.
    with django_capture_on_commit_callbacks(execute=True):
        return _record()


def _record() -> Record:
    orgs = standard_organisations()
    districts = [
        RegionFactory.create(kode=f"33.74.0{number}", name=name)
        for number, name in ((1, "Semarang Tengah"), (2, "Semarang Utara"), (3, "Tugu"))
    ]
    for region, population in zip(districts, (10_000, 20_000, 70_000), strict=True):
        RegionPopulation.objects.create(
            region=region, year=2022, kind="observed", population=population, source="test"
        )
    tengah, utara, tugu = districts
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    brisbane = PartnershipFactory.create(slug="smg-brisbane", partner_city=orgs.partner_city)
    internal = PartnershipFactory.create(slug="smg-internal", is_public=False)
    PartnershipEventFactory.create(partnership=brisbane, detail_id="Penandatanganan", source="SK")
    PartnershipEventFactory.create(partnership=internal)
    active = LifecycleState.objects.create(code="active-test", name_id="Aktif", name_en="Active")
    proposed = LifecycleState.objects.create(code="proposed-test", name_id="Usul", name_en="Prop")
    moved = dt.datetime(2024, 1, 10, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB
    for status in (TransitionRecord.Status.APPLIED, TransitionRecord.Status.PENDING):
        TransitionRecord.objects.create(
            partnership=brisbane,
            source=proposed,
            target=active,
            status=status,
            reason=REASON,
            actor=officer,
            created_at=moved,
            decided_at=moved,
        )
    activity = _activity(
        officer,
        orgs,
        "A-1",
        brisbane,
        [
            ParticipantRow("local", "government", "male", "25-44", 30, tengah),
            ParticipantRow("local", "students_youth", "female", "15-24", 20, tengah),
            ParticipantRow("local", "government", "female", "25-44", 30, utara),
            ParticipantRow("local", "community", "male", "45-64", 3, tugu),
            ParticipantRow("partner", "academia", "female", "25-44", 6, None),
        ],
    )
    _activity(
        officer,
        orgs,
        "A-2",
        internal,
        [ParticipantRow("local", "community", "female", "45-64", 20, tugu)],
    )
    activity.refresh_from_db()
    activity_budget_set(
        actor=officer,
        activity=activity,
        rows=[
            BudgetRow("apbd", "budget", Decimal("15000000.00")),
            BudgetRow("apbd", "spending", Decimal("12500000.50")),
        ],
    )
    activity.refresh_from_db()
    activity_contributions_set(
        actor=officer,
        activity=activity,
        rows=[
            ContributionRow(
                "partner", "expertise", "Two trainers", Decimal("1000"), "AUD", Decimal("10500")
            )
        ],
    )
    activity.refresh_from_db()
    activity_result_record(
        actor=officer,
        activity=activity,
        row=ResultRow(
            "output",
            "Teachers trained",
            "Teachers trained",
            "orang",
            dt.date(2024, 1, 1),
            dt.date(2024, 12, 31),
            Decimal(40),
            Decimal(3),
        ),
    )
    activity.refresh_from_db()
    trip_report_save(
        actor=officer,
        activity=activity,
        purpose="Visit",
        outputs="Plan",
        days=3,
        cost_idr=Decimal("1000000"),
        travellers=[TravellerRow(TRAVELLER, "Dinas Pendidikan", 1)],
    )
    register(published_call(activity), EMAIL, person(REGISTRANT))
    return Record(orgs=orgs, officer=officer, activity=activity)


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_package_validates_and_holds_the_public_record(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "package"
    build.build_package(out)
    report = validate(str(out / "datapackage.json"))
    assert report.valid is True, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = _read(out / "datapackage.json")
    assert [r["name"] for r in descriptor["resources"]] == [d.name for d in DATASETS]
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    counts = {d.name: len(_read(out / f"{d.name}.json")) for d in DATASETS}
    assert counts == {
        "partnerships": 1,
        "partnership-events": 1,
        "lifecycle-moves": 1,
        "activities": 1,
        "budgets": 2,
        "contributions": 1,
        "results": 1,
        "reach-kecamatan": 4,
        "reach-groups": 7,
        "economic-effects": 0,
        "multipliers": 51,
    }
    [activity] = _read(out / "activities.json")
    assert (activity["reference"], activity["participants_local"]) == ("A-1", 83)
    assert activity["participants_partner"] == 6
    assert [(b["kind"], b["amount_idr"]) for b in _read(out / "budgets.json")] == [
        ("budget", "15000000.00"),
        ("spending", "12500000.50"),
    ]
    [contribution] = _read(out / "contributions.json")
    assert contribution["value_idr"] == "10500000.00"
    [move] = _read(out / "lifecycle-moves.json")
    assert move == {
        "partnership": "smg-brisbane",
        "date": "2024-01-10",
        "from_stage": "proposed-test",
        "to_stage": "active-test",
    }
    # A result counted in people with an actual of 3 is hidden, as the API hides it.
    [result] = _read(out / "results.json")
    assert (result["target"], result["actual"]) == ("40.0000", None)
    csv_head = (out / "activities.csv").read_text(encoding="utf-8").splitlines()[0]
    assert csv_head.startswith("reference,partnership,kind,title_id")


def test_a_reach_cell_of_three_people_is_suppressed(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "package"
    build.build_package(out)
    kecamatan = {row["kode"]: row for row in _read(out / "reach-kecamatan.json")}
    assert {kode: row["participants"] for kode, row in kecamatan.items()} == {
        "33.74.01": 50,
        "33.74.02": None,
        "33.74.03": None,
        "outside": 0,
    }
    assert kecamatan["33.74.03"]["suppressed"] is True
    assert kecamatan["33.74.03"]["per_10k"] is None
    groups = {row["kode"]: row["participants"] for row in _read(out / "reach-groups.json")}
    assert (groups["government"], groups["community"], groups["students_youth"]) == (60, None, None)
    lines = (out / "reach-kecamatan.csv").read_text(encoding="utf-8").splitlines()
    assert "33.74.03,Tugu,70000,2022,,,true" in lines


def test_no_personal_or_internal_string_in_any_file(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "package"
    build.build_package(out)
    files = sorted(out.iterdir())
    assert len(files) == 2 * len(DATASETS) + 1
    for path in files:
        text = path.read_text(encoding="utf-8")
        for planted in PLANTED:
            assert planted not in text, (planted, path.name)
    assert "smg-brisbane" in (out / "partnerships.csv").read_text(encoding="utf-8")


def test_same_data_same_bytes(record: Record, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build.build_package(first)
    build.build_package(second)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {
        p.name: p.read_bytes() for p in second.iterdir()
    }


@pytest.mark.django_db(transaction=True)
def test_the_task_rebuilds_after_a_change_and_not_without_one(record: Record) -> None:
    open_data_refresh.call_local()
    state = build.package_state()
    assert state is not None
    open_data_refresh.call_local()
    assert build.package_state() == state
    # Committed at once (no test transaction): the generation is renewed after the commit.
    Activity.objects.filter(pk=record.activity.pk).update(title_en="Renamed training")
    bump()  # QuerySet.update sends no signal
    open_data_refresh.call_local()
    renewed = build.package_state()
    assert renewed is not None and renewed.path != state.path
    [activity] = _read(renewed.path / "activities.json")
    assert activity["title_en"] == "Renamed training"


def test_the_command_writes_the_package(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    call_command("export_open_data", "--out", str(out), stdout=open("/dev/null", "w"))  # noqa: SIM115
    names = {path.name for path in out.iterdir()}
    assert "datapackage.json" in names
    assert {"partnerships.csv", "partnerships.json", "multipliers.csv"} <= names
    assert validate(str(out / "datapackage.json")).valid is True


@pytest.mark.parametrize(
    ("address", "content_type"),
    [
        ("/open-data/", "text/html; charset=utf-8"),
        ("/open-data/datapackage.json", "application/json"),
        ("/open-data/activities.csv", "text/csv; charset=utf-8"),
        ("/open-data/activities.json", "application/json"),
        ("/open-data/catalog.jsonld", "application/ld+json"),
    ],
)
def test_the_views_answer_with_their_content_types(
    record: Record, client: Client, address: str, content_type: str
) -> None:
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_page_lists_every_dataset_and_unknown_names_are_not_found(
    record: Record, client: Client
) -> None:
    html = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for dataset in DATASETS:
        assert f'href="{dataset.name}.csv"' in html
        assert f'href="{dataset.name}.json"' in html
    assert "CC BY 4.0" in html
    assert client.get("/open-data/nothing.csv").status_code == 404
    assert client.post("/open-data/").status_code == 405


def test_the_catalog_has_one_dataset_per_resource_in_both_languages(
    record: Record, client: Client
) -> None:
    data = json.loads(client.get("/open-data/catalog.jsonld").content)
    assert data["@type"] == "dcat:Catalog"
    datasets = data["dcat:dataset"]
    assert len(datasets) == len(DATASETS)
    first = datasets[0]
    assert first["dct:title"] == [
        {"@language": "id", "@value": "Kerja sama"},
        {"@language": "en", "@value": "Partnerships"},
    ]
    assert first["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert [d["dct:format"] for d in first["dcat:distribution"]] == ["CSV", "JSON"]
    served = build.package_state()
    assert served is not None
    size = (served.path / "partnerships.csv").stat().st_size
    assert first["dcat:distribution"][0]["dcat:byteSize"]["@value"] == str(size)
    assert first["dcat:distribution"][0]["dcat:downloadURL"]["@id"].endswith(
        "/open-data/partnerships.csv"
    )
    assert all(
        {entry["@language"] for entry in d["dct:description"]} == {"id", "en"} for d in datasets
    )
