"""Charts and tables speak the page's language; machine-readable figures stay in the C locale.

The chart data blocks (``json_script``) carry every axis title and label,
translated on the server, with numbers as JSON numbers and years as text;
the tables format numbers the Indonesian way (1.234,5) or the English way
(1,234.5); CSV downloads keep a plain decimal point.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.geo.models import RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db


def chart_json(client: Client, url: str, element_id: str, **query: str) -> dict[str, Any]:
    """The JSON a page hands to its script, read from the page as the browser reads it."""
    body = client.get(url, query).content.decode()
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body)
    assert found is not None, element_id
    return dict(json.loads(found.group(1)))


def use_language(client: Client, language: str) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language


@pytest.mark.parametrize(
    ("language", "labels", "sector", "national"),
    [
        (
            "id",
            {
                "output": "pengganda output",
                "backward": "keterkaitan ke belakang",
                "forward": "keterkaitan ke depan",
                "direct": "langsung",
                "indirect": "tidak langsung",
                "induced": "ikutan (induced)",
                "millions": "juta rupiah",
                "sector": "sektor",
                "linkage": "keterkaitan ternormalisasi (1 = rata-rata semua sektor)",
            },
            "3. Industri Pengolahan",
            "Indonesia (tabel nasional)",
        ),
        (
            "en",
            {
                "output": "output multiplier",
                "backward": "backward linkage",
                "forward": "forward linkage",
                "direct": "direct",
                "indirect": "indirect",
                "induced": "induced",
                "millions": "million rupiah",
                "sector": "sector",
                "linkage": "normalised linkage (1 = average of all sectors)",
            },
            "3. Manufacturing",
            "Indonesia (national table)",
        ),
    ],
)
def test_economy_chart_labels_follow_the_language(
    client: Client, language: str, labels: dict[str, str], sector: str, national: str
) -> None:
    use_language(client, language)
    data = chart_json(client, "/insights/economy/", "economy-chart-data")
    assert data["labels"] == labels
    assert data["output"]["labels"][2] == sector
    assert [dataset["label"] for dataset in data["output"]["datasets"]] == [
        national,
        "Jawa Tengah",
        "Kota Semarang",
    ]
    # Numbers reach the script as numbers; the chart formats them in the page's language.
    assert all(isinstance(value, float) for value in data["linkages"]["backward"])


def _seed_reach() -> Any:
    """A small kecamatan with many participants (≥ 1,000 per 10,000) and a large one with few."""
    orgs = standard_organisations()
    small = RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    large = RegionFactory.create(kode="33.74.02", name="Semarang Utara")
    for region, population in ((small, 100), (large, 1_000_000)):
        RegionPopulation.objects.create(
            region=region, year=2022, kind="observed", population=population, source="test"
        )
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    activity_save(
        actor=officer,
        data=ActivityData(
            reference="A-1",
            partnership=PartnershipFactory.create(slug="smg-brisbane"),
            kind="training",
            title_id="Pelatihan",
            agency=orgs.dinas_pendidikan,
            start_date=dt.date(2024, 5, 3),
            end_date=dt.date(2024, 5, 4),
            status="completed",
            sector=SectorFactory.create(),
            government_affair=GovernmentAffairFactory.create(),
            participants_local=2010,
        ),
        participants=[
            ParticipantRow("local", "government", "female", "25-44", 2000, small),
            ParticipantRow("local", "government", "male", "25-44", 10, large),
        ],
    )
    return officer


@pytest.mark.parametrize(
    ("language", "labels", "per10k"),
    [
        (
            "id",
            {
                "participants": "porsi peserta",
                "population": "porsi penduduk",
                "people": "peserta",
                "share": "porsi (%)",
                "group": "kelompok pemangku kepentingan",
                "gender": "jenis kelamin",
                "year": "tahun",
            },
            "peserta per 10.000 penduduk",
        ),
        (
            "en",
            {
                "participants": "share of participants",
                "population": "share of population",
                "people": "participants",
                "share": "share (%)",
                "group": "stakeholder group",
                "gender": "gender",
                "year": "year",
            },
            "participants per 10,000 residents",
        ),
    ],
)
def test_reach_chart_labels_follow_the_language(
    client: Client, language: str, labels: dict[str, str], per10k: str
) -> None:
    client.force_login(_seed_reach())
    use_language(client, language)
    charts = chart_json(client, "/staff/insights/reach/", "reach-chart-data")
    assert charts["labels"] == labels
    # Years are text: no number format may group them ("2.024").
    assert charts["years"] == [["2024", 2010]]
    map_data = chart_json(client, "/staff/insights/reach/", "reach-map-data")
    assert map_data["labels"]["per10k"] == per10k
    assert map_data["districts"]["33.74.01"]["per_10k"] == 200000.0


@pytest.mark.parametrize(
    ("language", "per10k", "missing"),
    [
        ("id", "200.000,0", "kurang sekitar 2.000 peserta"),
        ("en", "200,000.0", "about 2,000 participants"),
    ],
)
def test_reach_tables_group_thousands_in_the_language(
    client: Client, language: str, per10k: str, missing: str
) -> None:
    client.force_login(_seed_reach())
    use_language(client, language)
    body = client.get("/staff/insights/reach/").content.decode()
    row = re.search(r'<tr data-kode="33.74.01">(.*?)</tr>', body, re.S)
    assert row is not None
    cells = re.findall(r'<td class="numeric">(.*?)</td>', row.group(1))
    thousands = "2.000" if language == "id" else "2,000"
    assert cells[:3] == [thousands, "100", per10k]
    act = re.search(r'<li data-kode="33.74.02">(.*?)</li>', body, re.S)
    assert act is not None
    assert missing in act.group(1)


def test_reach_csv_keeps_the_decimal_point_in_indonesian(client: Client) -> None:
    client.force_login(_seed_reach())
    use_language(client, "id")
    download = client.get("/staff/insights/reach/", {"download": "districts"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[2][:5] == ["33.74.01", "Semarang Tengah", "2000", "100", "200000.0"]
