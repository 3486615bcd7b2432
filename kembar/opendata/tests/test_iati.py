"""The IATI 2.03 files: valid against the shipped schemas, exact, public data only, stable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client
from lxml import etree

from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.tests.test_disclosure_walk import Walk
from kembar.opendata.iati import (
    SCHEMA_DIR,
    IatiInvalid,
    IatiNoActivities,
    IatiUnknownRegion,
    activities_xml,
    iati_schema,
    iati_validate,
    organisation_xml,
)
from kembar.partnerships.models import DocumentKind, PartnershipDocument
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    Indicator,
    IndicatorPeriod,
    Result,
    Traveller,
    TripReport,
)
from kembar.programs.tests.factories import (
    ActivityFactory,
    SdgGoalFactory,
    SdgTargetFactory,
    SectorFactory,
    StandardIndicatorFactory,
)

pytestmark = pytest.mark.django_db

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Planted in the staff-only record; it must never reach a public file.
TRAVELLER = "Budi Santoso"


@dataclass(frozen=True, slots=True)
class Record:
    activity: Activity
    internal: Activity
    demo: Activity


@pytest.fixture
def record(settings: Any) -> Record:
    settings.KEMBAR_SITE_URL = "https://kembar.example"
    settings.KEMBAR_IATI_ORG_PREFIX = "ID-KMD"
    settings.KEMBAR_HOME_REGION = "33.74"
    orgs = standard_organisations()
    kecamatan = RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    kecamatan.latitude, kecamatan.longitude = -6.9826, 110.4146
    kecamatan.save()
    partnership = PartnershipFactory.create(
        slug="semarang-brisbane",
        partner_city=orgs.partner_city,
        partner_country=orgs.partner_city.country,
        partner_name="Brisbane",
        is_public=True,
    )
    officer = UserFactory.create(first_name="Siti", last_name="Rahmawati")
    activity = ActivityFactory.create(
        reference="SMG-BNE-2024-01",
        partnership=partnership,
        agency=orgs.dinas_pendidikan,
        title_id="Pelatihan guru bahasa Inggris",
        title_en="English teacher training",
        description_id="Guru SMP dilatih oleh guru dari Brisbane.",
        description_en="",
        place_region=kecamatan,
        status="completed",
        sector=SectorFactory.create(code=16, kbli_sections="P"),
        created_by=officer,
    )
    activity.sdg_goals.add(SdgGoalFactory.create())
    activity.sdg_targets.add(SdgTargetFactory.create())
    BudgetLine.objects.create(
        activity=activity,
        source="apbd",
        kind="budget",
        amount=Decimal(150_000_000),
        amount_idr=Decimal(150_000_000),
    )
    BudgetLine.objects.create(
        activity=activity,
        source="partner",
        kind="budget",
        amount=Decimal(5_000),
        currency="AUD",
        rate_to_idr=Decimal(10_500),
        amount_idr=Decimal(52_500_000),
    )
    BudgetLine.objects.create(
        activity=activity,
        source="apbd",
        kind="spending",
        amount=Decimal("120500000.50"),
        amount_idr=Decimal("120500000.50"),
    )
    Contribution.objects.create(
        activity=activity,
        side="partner",
        form="funds",
        description="Honorarium pelatih",
        value=Decimal(2_000),
        currency="AUD",
        rate_to_idr=Decimal(10_500),
        value_idr=Decimal(21_000_000),
    )
    result = Result.objects.create(activity=activity, level="output", title="Guru terlatih")
    trained = Indicator.objects.create(
        result=result,
        standard=StandardIndicatorFactory.create(),
        title="Guru yang dilatih",
        unit="orang",
        baseline_year=2023,
        baseline_value=Decimal(2),
    )
    IndicatorPeriod.objects.create(
        indicator=trained,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        target=Decimal(30),
        actual=Decimal(25),
    )
    principals = Indicator.objects.create(result=result, title="Kepala sekolah", unit="orang")
    IndicatorPeriod.objects.create(
        indicator=principals,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        target=Decimal(5),
        actual=Decimal(3),  # 1–4 people: the public never sees it
    )
    kind, _ = DocumentKind.objects.get_or_create(
        code="mou", defaults={"name_id": "Nota Kesepahaman", "name_en": "MoU"}
    )
    kind.has_validity = True
    kind.save()
    PartnershipDocument.objects.create(
        partnership=partnership,
        kind=kind,
        title="MoU Semarang–Brisbane",
        language="id+en",
        signed_on=dt.date(2021, 8, 30),
        source="https://example.org/mou-semarang-brisbane",
        sha256="",
        size_bytes=0,
        uploaded_by=officer,
        uploaded_at=dt.datetime(2021, 9, 1, 9, tzinfo=dt.UTC),
    )
    report = TripReport.objects.create(
        activity=activity, purpose="Kunjungan", outputs="Catatan", days=3, cost_idr=Decimal(0)
    )
    Traveller.objects.create(report=report, role=f"Kepala Dinas {TRAVELLER}", organisation="X")
    internal = ActivityFactory.create(
        reference="SMG-INT-2024-01",
        partnership=PartnershipFactory.create(slug="semarang-internal", is_public=False),
        agency=orgs.dinas_pendidikan,
    )
    demo = ActivityFactory.create(
        reference="DEMO-BNE-2024-01", partnership=partnership, agency=orgs.dinas_pendidikan
    )
    Activity.objects.filter(pk=demo.pk).update(is_demo=True)
    # The record's own times, so that the files are the same whenever they are built.
    Activity.objects.update(updated_at=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    return Record(activity=activity, internal=internal, demo=demo)


def _tree(content: bytes) -> etree._Element:
    return etree.fromstring(content, etree.XMLParser(no_network=True))


def _activity(content: bytes) -> etree._Element:
    activities = _tree(content).findall("iati-activity")
    assert len(activities) == 1
    return activities[0]


def test_both_files_validate_against_the_shipped_schemas(record: Record) -> None:
    activities = activities_xml("33.74")
    organisation = organisation_xml("33.74")

    assert iati_schema("activities").validate(_tree(activities))
    assert iati_schema("organisations").validate(_tree(organisation))
    iati_validate(activities, "activities")
    iati_validate(organisation, "organisations")


def test_the_schemas_load_from_the_project_only() -> None:
    asked: list[str] = []

    class Recorder(etree.Resolver):
        def resolve(self, system_url: str, public_id: str, context: object) -> object:
            asked.append(system_url)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Recorder())
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), parser))

    assert schema is not None
    assert all(not url.startswith(("http://", "https://")) for url in asked)
    assert sorted(path.name for path in SCHEMA_DIR.glob("*.xsd")) == [
        "iati-activities-schema.xsd",
        "iati-common.xsd",
        "iati-organisations-schema.xsd",
        "xml.xsd",
    ]


def test_an_invalid_file_is_refused() -> None:
    with pytest.raises(IatiInvalid, match="iati-identifier"):
        iati_validate(
            b'<iati-activities version="2.03"><iati-activity/></iati-activities>', "activities"
        )


def test_identifiers_and_organisations(record: Record) -> None:
    activity = _activity(activities_xml("33.74"))

    assert activity.findtext("iati-identifier") == "ID-KMD-33.74-SMG-BNE-2024-01"
    reporting = activity.find("reporting-org")
    assert reporting is not None
    assert (reporting.get("ref"), reporting.get("type")) == ("ID-KMD-33.74", "11")
    assert reporting.findtext("narrative") == "Pemerintah Kota Semarang"
    assert [
        (org.get("role"), org.get("ref"), org.findtext("narrative"))
        for org in activity.findall("participating-org")
    ] == [
        ("1", "ID-KMD-33.74", "Pemerintah Kota Semarang"),
        ("1", None, "Brisbane City Council"),
        ("2", "ID-KMD-33.74", "Pemerintah Kota Semarang"),
        ("4", None, "Dinas Pendidikan"),
        ("4", None, "Brisbane City Council"),
    ]
    titles = activity.findall("title/narrative")
    assert [(t.get(XML_LANG), t.text) for t in titles] == [
        ("id", "Pelatihan guru bahasa Inggris"),
        ("en", "English teacher training"),
    ]
    assert activity.find("activity-status").get("code") == "4"
    assert [(d.get("type"), d.get("iso-date")) for d in activity.findall("activity-date")] == [
        ("2", "2024-03-04"),
        ("4", "2024-03-08"),
    ]
    organisation = _tree(organisation_xml("33.74")).find("iati-organisation")
    assert organisation is not None
    assert organisation.findtext("organisation-identifier") == "ID-KMD-33.74"
    assert organisation.findtext("name/narrative") == "Pemerintah Kota Semarang"


def test_place_and_sectors(record: Record) -> None:
    activity = _activity(activities_xml("33.74"))

    assert [c.get("code") for c in activity.findall("recipient-country")] == ["ID"]
    location = activity.find("location")
    assert location is not None
    assert location.get("ref") == "33.74.01"
    assert location.findtext("name/narrative") == "Semarang Tengah"
    assert location.findtext("point/pos") == "-6.982600 110.414600"
    assert [
        (s.get("vocabulary"), s.get("code"), s.get("percentage"), s.findtext("narrative"))
        for s in activity.findall("sector")
    ] == [
        ("7", "4", "100", "Pendidikan Berkualitas"),
        ("8", "4.7", "100", "Education for sustainable development and global citizenship"),
        ("98", "P", "100", None),
        ("99", "16", "100", "Jasa Pendidikan"),
    ]


def test_money(record: Record) -> None:
    activity = _activity(activities_xml("33.74"))

    budget = activity.find("budget")
    assert budget is not None
    assert budget.find("period-start").get("iso-date") == "2024-03-04"
    value = budget.find("value")
    assert value is not None
    assert (value.text, value.get("currency"), value.get("value-date")) == (
        "202500000",
        "IDR",
        "2024-03-04",
    )
    transactions = [
        (
            t.find("transaction-type").get("code"),
            t.find("transaction-date").get("iso-date"),
            t.findtext("value"),
            t.findtext("provider-org/narrative"),
            t.findtext("receiver-org/narrative"),
        )
        for t in activity.findall("transaction")
    ]
    assert transactions == [
        ("1", "2024-03-04", "21000000", "Brisbane City Council", "Pemerintah Kota Semarang"),
        ("4", "2024-03-08", "120500000.5", "Pemerintah Kota Semarang", None),
    ]


def test_results_hide_small_counts_of_people(record: Record) -> None:
    activity = _activity(activities_xml("33.74"))

    result = activity.find("result")
    assert result is not None
    assert result.get("type") == "1"
    indicators = {i.findtext("title/narrative"): i for i in result.findall("indicator")}
    trained = indicators["Guru yang dilatih"]
    assert trained.find("reference").get("code") == "students_exchanged"
    # A baseline counted in people is not published as a value (2 would be a small count).
    assert trained.find("baseline").attrib == {"year": "2023"}
    period = trained.find("period")
    assert period is not None
    assert period.find("target").get("value") == "30"
    assert period.find("actual").get("value") == "25"
    principals = indicators["Kepala sekolah"].find("period")
    assert principals is not None
    assert principals.find("target").get("value") == "5"
    assert principals.find("actual") is None


def test_documents_are_public_metadata_only(record: Record) -> None:
    activity = _activity(activities_xml("33.74"))

    links = [
        (
            link.get("url"),
            link.find("category").get("code"),
            [n.text for n in link.findall("title/narrative")],
            [language.get("code") for language in link.findall("language")],
        )
        for link in activity.findall("document-link")
    ]
    assert links == [
        (
            "https://kembar.example/activities/SMG-BNE-2024-01/",
            "A12",
            ["Pelatihan guru bahasa Inggris", "English teacher training"],
            [],
        ),
        (
            "https://example.org/mou-semarang-brisbane",
            "A09",
            ["Nota Kesepahaman", "MoU"],
            ["id", "en"],
        ),
    ]


def test_only_public_real_activities_and_no_personal_data(record: Record) -> None:
    content = activities_xml("33.74") + organisation_xml("33.74")

    identifiers = [i.text for i in _tree(activities_xml("33.74")).iter("iati-identifier")]
    assert identifiers == ["ID-KMD-33.74-SMG-BNE-2024-01"]
    assert b"SMG-INT-2024-01" not in content
    assert b"DEMO-BNE" not in content
    for personal in (TRAVELLER, "Rahmawati", "Siti", "Kunjungan", "@example.org"):
        assert personal.encode() not in content


def test_the_same_record_gives_the_same_bytes(record: Record) -> None:
    assert activities_xml("33.74") == activities_xml("33.74")
    assert organisation_xml("33.74") == organisation_xml("33.74")
    assert _tree(activities_xml("33.74")).get("generated-datetime") == "2025-01-02T03:04:05+00:00"


def test_a_region_without_public_activities_or_unknown(record: Record) -> None:
    RegionFactory.create(kode="33.71", name="Kota Magelang")
    with pytest.raises(IatiNoActivities):
        activities_xml("33.71")
    with pytest.raises(IatiUnknownRegion):
        activities_xml("99.99")
    iati_validate(organisation_xml("33.71"), "organisations")


def test_the_command_writes_valid_files(record: Record, tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "semarang.xml"

    call_command("export_iati", "--region", "33.74", "--out", str(target), stdout=out)

    organisation = tmp_path / "semarang-organisation.xml"
    assert out.getvalue() == f"Wrote {target} and {organisation}.\n"
    assert target.read_bytes() == activities_xml("33.74")
    assert organisation.read_bytes() == organisation_xml("33.74")
    iati_validate(target.read_bytes(), "activities")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "semarang-organisation.xml",
        "semarang.xml",
    ]


def test_the_command_refuses_a_region_without_activities(record: Record, tmp_path: Path) -> None:
    RegionFactory.create(kode="33.71", name="Kota Magelang")
    with pytest.raises(CommandError, match="no public activity"):
        call_command("export_iati", "--region", "33.71", "--out", str(tmp_path / "x.xml"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "build"), [("activities", activities_xml), ("organisation", organisation_xml)]
)
def test_anyone_downloads_the_files(record: Record, name: str, build: Any) -> None:
    response = Client().get(f"/open-data/iati/33.74/{name}.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Content-Disposition"] == f'inline; filename="iati-33.74-{name}.xml"'
    assert response.content == build("33.74")


def test_a_region_without_public_activities_has_no_files(record: Record) -> None:
    RegionFactory.create(kode="33.71", name="Kota Magelang")
    client = Client()

    assert client.get("/open-data/iati/33.71/activities.xml").status_code == 404
    assert client.get("/open-data/iati/33.71/organisation.xml").status_code == 404
    assert client.get("/open-data/iati/99.99/organisation.xml").status_code == 404
    assert client.post("/open-data/iati/33.74/activities.xml").status_code == 405


def test_the_disclosure_walk_finds_no_hidden_value_in_the_file(record: Record) -> None:
    walk = Walk(Client())
    walk.check("iati", "/open-data/iati/33.74/activities.xml")
    assert walk.problems == []
    # The check itself fails when the file shows an actual the API hides.
    Indicator.objects.filter(title="Kepala sekolah").update(unit="lembaga")  # not people now
    content = activities_xml("33.74")
    Indicator.objects.filter(title="Kepala sekolah").update(unit="orang")
    walk.client = _Serving(content)
    walk.check("iati", "/open-data/iati/33.74/activities.xml")
    assert walk.problems == [
        "/open-data/iati/33.74/activities.xml SMG-BNE-2024-01 Kepala sekolah: actual not public"
    ]


class _Serving(Client):
    """A client that answers the IATI address with ``content`` and anything else as usual."""

    def __init__(self, content: bytes) -> None:
        super().__init__()
        self.content = content

    def get(self, path: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if path.startswith("/open-data/iati/"):
            return HttpResponse(self.content, content_type="application/xml")
        return super().get(path, *args, **kwargs)
