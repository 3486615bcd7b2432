"""The economy API and pages: shapes, permissions, refused parameters, schema, CSV, languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.insights.models import PrioritySector
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.effects import EffectData, activity_effect_save
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

pytestmark = pytest.mark.django_db

KEYS = [
    "code",
    "name",
    "output_multiplier",
    "income_multiplier_type1",
    "income_multiplier_type2",
    "value_added_multiplier",
    "backward_linkage",
    "forward_linkage",
    "key_sector",
]


@pytest.fixture
def officer() -> Any:
    orgs = standard_organisations()
    user = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    tourism = SectorFactory.create(
        code=9, kbli_sections="I", name_id="Akomodasi dan Makan Minum", name_en="Accommodation"
    )
    SectorFactory.create(code=3, kbli_sections="C", name_id="Industri", name_en="Manufacturing")
    PrioritySector.objects.create(region_id="33.74", sector_id=3, plan="RPJMD 2021–2026")
    festival = ActivityFactory.create(
        partnership=PartnershipFactory.create(slug="smg-brisbane", partner_name="Brisbane"),
        agency=orgs.dinas_pendidikan,
        sector=tourism,
        kind="festival",
        start_date=dt.date(2024, 8, 1),
        end_date=dt.date(2024, 8, 3),
        participants_local=30,
    )
    activity_effect_save(
        actor=user,
        activity=festival,
        data=EffectData(
            kind="visitor_spending",
            sector=tourism,
            year=2024,
            source="survey",
            visitors=50,
            days=2,
            spending_per_day_idr=Decimal(1_000_000),
        ),
    )
    return user


# --- Multipliers (public) -------------------------------------------------------------------


def test_multipliers_are_public_with_the_contract_shape(client: Client) -> None:
    response = client.get("/api/v1/insights/multipliers/")
    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["region", "method", "delta", "table", "sectors"]
    assert (data["region"], data["method"], data["delta"]) == ("33.74", "flq", 0.3)
    assert data["table"]["regionalisation"]["measure_year"] == 2016
    assert len(data["sectors"]) == 17
    assert all(list(sector) == KEYS for sector in data["sectors"])
    assert all(1 < sector["output_multiplier"] < 1.4 for sector in data["sectors"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "national", "method": "slq"}, ("national", None, None)),
        ({"region": "33", "method": "cilq", "delta": "0.2"}, ("33", "cilq", None)),
        ({"region": "33", "delta": "0.15"}, ("33", "flq", 0.15)),
    ],
)
def test_multipliers_say_which_method_and_delta(
    client: Client, query: dict[str, str], expected: tuple[Any, ...]
) -> None:
    data = client.get("/api/v1/insights/multipliers/", query).json()
    assert (data["region"], data["method"], data["delta"]) == expected


def test_sector_names_follow_the_language(client: Client) -> None:
    english = client.get(
        "/api/v1/insights/multipliers/", {"region": "national"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    indonesian = client.get(
        "/api/v1/insights/multipliers/", {"region": "national"}, HTTP_ACCEPT_LANGUAGE="id"
    ).json()
    assert english["sectors"][2]["name"] == "Manufacturing"
    assert indonesian["sectors"][2]["name"] == "Industri Pengolahan"


@pytest.mark.parametrize(
    ("url", "query", "names"),
    [
        ("/api/v1/insights/multipliers/", {"region": "35"}, ["region"]),
        ("/api/v1/insights/multipliers/", {"method": "lq"}, ["method"]),
        ("/api/v1/insights/multipliers/", {"delta": "1"}, ["delta"]),
        ("/api/v1/insights/multipliers/", {"delta": "-0.1"}, ["delta"]),
        ("/api/v1/insights/multipliers/", {"colour": "red", "sektor": "1"}, ["colour", "sektor"]),
        ("/api/v1/insights/impact/", {"partnership": "nowhere"}, ["partnership"]),
        ("/api/v1/insights/impact/", {"year": "1800"}, ["year"]),
        ("/api/v1/insights/impact/", {"sector": "3"}, ["sector"]),
        ("/api/v1/insights/cross-sector/", {"year_from": "2024", "year_to": "2020"}, ["year_to"]),
        ("/api/v1/insights/cross-sector/", {"region": "33.74"}, ["region"]),
    ],
)
def test_bad_parameters_answer_400_naming_them(
    client: Client, officer: Any, url: str, query: dict[str, str], names: list[str]
) -> None:
    client.force_login(officer)
    response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert sorted(body["errors"]) == names
    assert body["detail"] == "Invalid parameter: " + ", ".join(names)


def test_unknown_parameter_message_in_english(client: Client) -> None:
    response = client.get(
        "/api/v1/insights/multipliers/", {"colour": "red"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["errors"] == {"colour": ["Unknown parameter."]}


# --- Impact and cross-sector (staff) --------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/insights/impact/", "/api/v1/insights/cross-sector/"])
def test_staff_figures_are_refused_to_the_public(client: Client, officer: Any, url: str) -> None:
    assert client.get(url).status_code in (401, 403)
    citizen = UserFactory.create(role="", organisation=None)
    client.force_login(citizen)
    assert client.get(url).status_code == 403


def test_impact_api(client: Client, officer: Any) -> None:
    client.force_login(officer)
    data = client.get(
        "/api/v1/insights/impact/", {"region": "33", "year": "2024"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert (data["region"], data["method"], data["delta"]) == ("33", "flq", 0.3)
    assert data["units"] == "IDR"
    assert data["totals"]["final_demand"] == pytest.approx(100_000_000)
    assert data["totals"]["output_direct"] == pytest.approx(100_000_000)
    assert data["totals"]["output_indirect"] > 0
    accommodation = next(row for row in data["by_sector"] if row["code"] == 9)
    assert accommodation["final_demand"] == pytest.approx(100_000_000)
    assert [row["slug"] for row in data["by_partnership"]] == ["smg-brisbane"]
    assert [row["year"] for row in data["by_year"]] == [2024]
    assert data["filters"] == {"partnership": None, "year": 2024, "demo": None}
    assert data["table"]["units"].startswith("million rupiah")
    assert data["table"]["regionalisation"]["method"] == "flq"
    assert data["assumptions"]


def test_cross_sector_api(client: Client, officer: Any) -> None:
    client.force_login(officer)
    data = client.get("/api/v1/insights/cross-sector/").json()
    assert data["priorities"]["gaps"] == [3]
    assert data["priorities"]["outside_priorities"] == [9]
    (row,) = data["partnerships"]
    assert (row["slug"], row["activities"], row["participants"]) == ("smg-brisbane", 1, 30)


def test_schema_documents_the_economy_api(client: Client, tmp_path: Path) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path, parameters in (
        ("/api/v1/insights/multipliers/", {"region", "method", "delta"}),
        ("/api/v1/insights/impact/", {"region", "method", "delta", "partnership", "year", "demo"}),
        ("/api/v1/insights/cross-sector/", {"year_from", "year_to", "demo"}),
    ):
        assert {p["name"] for p in paths[path]["get"]["parameters"]} == parameters
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sector", "region_choice"),
    [
        ("id", "Industri Pengolahan", "Jawa Tengah"),
        ("en", "Manufacturing", "Indonesia (national table)"),
    ],
)
def test_public_page_renders_in_both_languages(
    client: Client, language: str, sector: str, region_choice: str
) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/insights/economy/", {"region": "33", "method": "slq"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'lang="{language}"' in body
    assert sector in body
    assert region_choice in body
    assert 'id="economy-output-chart"' in body
    assert 'id="economy-chart-data"' in body
    assert 'id="economy-output"' in body
    assert "<script>" not in body  # data only through json_script, code from files
    assert page.context["selected"]["region"] == "33"
    assert page.context["selected"]["method"] == "slq"
    assert page.context["impact"] is None


def test_a_bad_choice_falls_back_to_the_default(client: Client) -> None:
    page = client.get("/insights/economy/", {"region": "35", "delta": "7"})
    assert page.status_code == 200
    assert page.context["selected"]["region"] == "33.74"
    assert page.context["selected"]["delta"] == 0.3


def test_public_csv_says_which_table_made_it(client: Client) -> None:
    download = client.get(
        "/insights/economy/", {"region": "33.74", "delta": "0.25", "download": "multipliers"}
    )
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][0].startswith("# region=33.74 (Kota Semarang); table=BPS")
    assert rows[0][0].endswith("method=flq; delta=0.25")
    assert rows[1] == KEYS
    assert len(rows) == 2 + 17
    output = client.get("/insights/economy/", {"download": "output"})
    rows = list(csv.reader(io.StringIO(output.content.decode())))
    assert rows[1] == ["code", "name", "national", "33", "33.74"]
    # Staff tables are not offered in public.
    assert client.get("/insights/economy/", {"download": "impact_sectors"})[
        "Content-Type"
    ].startswith("text/html")


def test_staff_page_adds_impact_and_cross_sector(client: Client, officer: Any) -> None:
    assert client.get("/staff/insights/economy/").status_code == 302
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    page = client.get("/staff/insights/economy/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="economy-impact"' in body
    assert 'id="impact-empty"' not in body
    assert 'id="cross-partnerships"' in body
    assert 'data-status="gap"' in body
    assert page.context["impact"]["effects"]["count"] == 1
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/staff/insights/economy/", {"download": "impact_partnerships"}
                ).content.decode()
            )
        )
    )
    assert rows[1][:3] == ["slug", "name", "final_demand"]
    assert rows[2][:3] == ["smg-brisbane", "Brisbane", "100000000.0"]
    priorities = client.get("/staff/insights/economy/", {"download": "priorities"})
    rows = list(csv.reader(io.StringIO(priorities.content.decode())))
    assert ["3", "Manufacturing", "C", "True", "RPJMD 2021–2026", "0", "0", "gap"] in rows


def test_staff_page_with_no_effects_shows_the_empty_state(client: Client) -> None:
    orgs = standard_organisations()
    client.force_login(
        UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    )
    page = client.get("/staff/insights/economy/")
    assert page.status_code == 200
    assert 'id="impact-empty"' in page.content.decode()
    assert page.context["impact"]["totals"]["output_total"] == 0
