"""Reach figures, the API and the dashboard on a small dataset computed by hand.

Kota Semarang with three kecamatan of 10,000 / 20,000 / 70,000 residents
(2022) whose people took part 50 / 30 / 20 times, 4 people from outside
the city, through the services (so the participant summary is kept):

- per 10,000 residents: 50, 15, 2.857142…;
- participant shares .5 / .3 / .2 against population shares .1 / .2 / .7,
  representation ratios 5, 1.5, 0.285714…;
- population-weighted Gini: Σ_i Σ_j p_i p_j |r_i − r_j| / (2 r̄) with
  r = (.005, .0015, .000285714) and r̄ = .001 gives 0.57;
- Theil: .5 ln 5 + .3 ln 1.5 + .2 ln(2/7).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.analytics.reach import gini, theil
from kembar.geo.models import Region, RegionPopulation
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.models import ReferencePopulation
from kembar.insights.reach import ReachFilters, reach_figures
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.tests.factories import GovernmentAffairFactory, SectorFactory

pytestmark = pytest.mark.django_db

THEIL = 0.5 * math.log(5) + 0.3 * math.log(1.5) + 0.2 * math.log(2 / 7)


@dataclasses.dataclass
class City:
    orgs: StandardOrganisations
    officer: Any


def _activity(
    officer: Any,
    orgs: StandardOrganisations,
    reference: str,
    partnership: Any,
    rows: list[ParticipantRow],
    **changes: Any,
) -> None:
    data = ActivityData(
        reference=reference,
        partnership=partnership,
        kind="training",
        title_id=reference,
        agency=orgs.dinas_pendidikan,
        start_date=dt.date(2021, 5, 3),
        end_date=dt.date(2021, 5, 4),
        status="completed",
        sector=SectorFactory.create(),
        government_affair=GovernmentAffairFactory.create(),
        participants_local=sum(row.count for row in rows if row.side == "local"),
        participants_partner=sum(row.count for row in rows if row.side == "partner"),
    )
    activity_save(actor=officer, data=dataclasses.replace(data, **changes), participants=rows)


@pytest.fixture
def city() -> City:
    orgs = standard_organisations()
    semarang = Region.objects.get(kode="33.74")
    semarang.population_male, semarang.population_female = 60_000, 40_000
    semarang.save()
    districts = [
        RegionFactory.create(kode=f"33.74.0{number}", name=name)
        for number, name in ((1, "Semarang Tengah"), (2, "Semarang Utara"), (3, "Tugu"))
    ]
    for region, population in zip(districts, (10_000, 20_000, 70_000), strict=True):
        RegionPopulation.objects.create(
            region=region, year=2022, kind="observed", population=population, source="test"
        )
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    brisbane = PartnershipFactory.create(slug="smg-brisbane", partner_city=orgs.partner_city)
    hidden = PartnershipFactory.create(slug="smg-hidden", is_public=False)
    tengah, utara, tugu = districts
    _activity(
        officer,
        orgs,
        "A-1",
        brisbane,
        [
            ParticipantRow("local", "government", "male", "25-44", 30, tengah),
            ParticipantRow("local", "students_youth", "female", "15-24", 20, tengah),
            ParticipantRow("local", "government", "female", "25-44", 30, utara),
            ParticipantRow("local", "community", "male", "45-64", 4, None),
            ParticipantRow("partner", "academia", "female", "25-44", 6, None),
        ],
    )
    _activity(
        officer,
        orgs,
        "A-2",
        hidden,
        [ParticipantRow("local", "community", "female", "45-64", 20, tugu)],
        kind="festival",
        start_date=dt.date(2024, 8, 1),
        end_date=dt.date(2024, 8, 3),
    )
    return City(orgs=orgs, officer=officer)


def test_figures_computed_by_hand(city: City) -> None:
    figures = reach_figures(filters=ReachFilters(region="33.74"), user=city.officer)
    data = figures.as_dict()
    assert [(row["kode"], row["participants"], row["population"]) for row in data["districts"]] == [
        ("33.74.01", 50, 10_000),
        ("33.74.02", 30, 20_000),
        ("33.74.03", 20, 70_000),
    ]
    assert [row["per_10k"] for row in data["districts"]] == [50.0, 15.0, 2.857143]
    assert [row["representation_ratio"] for row in data["districts"]] == [5.0, 1.5, 0.285714]
    assert data["gini"] == pytest.approx(0.57, abs=1e-6)
    assert data["theil"] == pytest.approx(THEIL, abs=1e-6)
    assert data["coverage"] == {"districts": 1.0, "groups": pytest.approx(3 / 7, abs=1e-6)}
    assert data["outside_city"] == 4
    assert figures.population_year == 2022
    assert [row["kode"] for row in data["never_reached"]] == [
        "academia",
        "business",
        "civil_society",
        "media",
    ]
    assert data["years"] == [{"year": 2021, "participants": 84}, {"year": 2024, "participants": 20}]
    female, male, unspecified = data["gender"]
    assert (female["participants"], male["participants"], unspecified["participants"]) == (
        70,
        34,
        0,
    )
    assert female["share"] == pytest.approx(70 / 104, abs=1e-6)
    assert female["population_share"] == 0.4
    assert [unit["kode"] for unit in data["where_to_act"]] == ["33.74.03"]
    assert data["where_to_act"][0]["missing_participants"] == pytest.approx(50.0)


def test_filters_narrow_the_figures(city: City) -> None:
    def districts(**filters: Any) -> list[int]:
        data = reach_figures(
            filters=ReachFilters(region="33.74", **filters), user=city.officer
        ).as_dict()
        return [row["participants"] for row in data["districts"]]

    assert districts(partnership="smg-brisbane") == [50, 30, 0]
    assert districts(kind="festival") == [0, 0, 20]
    assert districts(year_from=2022) == [0, 0, 20]
    assert districts(year_to=2021) == [50, 30, 0]
    assert districts(sector=3) == [0, 0, 0]
    assert districts(demo=True) == [0, 0, 0]


def test_group_references_give_representation(city: City) -> None:
    ReferencePopulation.objects.create(
        region_id="33.74", category="government", population=10_000, year=2023, source="BKPSDM"
    )
    ReferencePopulation.objects.create(
        region_id="33.74", category="community", population=90_000, year=2023, source="BPS"
    )
    data = reach_figures(filters=ReachFilters(region="33.74"), user=city.officer).as_dict()
    groups = {row["kode"]: row for row in data["groups"]}
    # 60 of the 104 participants are government, 10 % of the reference population.
    assert groups["government"]["representation_ratio"] == pytest.approx((60 / 104) / 0.1, abs=1e-6)
    assert groups["community"]["per_10k"] == pytest.approx(24 / 9, abs=1e-6)
    assert data["coverage"]["groups"] == 1.0


def test_the_public_sees_public_partnerships_and_no_small_cells(city: City) -> None:
    data = reach_figures(filters=ReachFilters(region="33.74"), public=True).as_dict()
    # 84 local people: 50 + 30 + 0 in the kecamatan and 4 from outside.  Hiding only the
    # 4 would let anyone compute it as 84 − 80, so the smallest other cell (30) goes too.
    assert data["total"] == 84
    assert [row["participants"] for row in data["districts"]] == [50, None, 0]
    assert [row.get("suppressed", False) for row in data["districts"]] == [False, True, False]
    assert data["outside_city"] is None
    utara = data["districts"][1]
    assert (utara["per_10k"], utara["participant_share"], utara["representation_ratio"]) == (
        None,
        None,
        None,
    )
    # Derived figures come from the stand-in: the hidden 34 spread as 17 and 17.
    stand_in = {"33.74.01": 50, "33.74.02": 17}
    population = {"33.74.01": 10_000, "33.74.02": 20_000, "33.74.03": 70_000}
    assert data["districts"][0]["participant_share"] == round(50 / 67, 6)
    assert data["gini"] == round(gini(stand_in, population) or 0, 6)
    assert data["theil"] == round(theil(stand_in, population) or 0, 6)
    groups = {row["kode"]: row["participants"] for row in data["groups"]}
    assert (groups["government"], groups["students_youth"], groups["community"]) == (60, None, None)
    assert [row["participants"] for row in data["gender"]] == [50, 34, 0]
    assert data["years"] == [{"year": 2021, "participants": 84}]
    assert data["coverage"] == {"districts": round(2 / 3, 6), "groups": round(3 / 7, 6)}
    assert [unit["kode"] for unit in data["never_reached"]] == [
        "33.74.03",
        "academia",
        "business",
        "civil_society",
        "media",
    ]
    [tugu] = data["where_to_act"]
    assert (tugu["kode"], tugu["missing_participants"]) == ("33.74.03", round(0.7 * 67, 6))
    assert all(s["participants"] is None for s in tugu["suggested_kinds"])
    assert data["public"] is True


def test_a_public_total_under_five_hides_every_count(city: City) -> None:
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    tengah = Region.objects.get(kode="33.74.01")
    _activity(
        city.officer,
        city.orgs,
        "A-3",
        brisbane,
        [ParticipantRow("local", "media", "female", "25-44", 3, tengah)],
        start_date=dt.date(2019, 2, 1),
        end_date=dt.date(2019, 2, 2),
    )
    data = reach_figures(filters=ReachFilters(region="33.74", year_to=2019), public=True).as_dict()
    assert data["total"] is None
    for table in ("districts", "groups", "gender", "years"):
        assert {row["participants"] for row in data[table]} == {None}, table
    assert (data["gini"], data["theil"], data["outside_city"]) == (None, None, None)
    assert data["coverage"] == {"districts": None, "groups": None}
    assert (data["never_reached"], data["where_to_act"]) == ([], [])


def test_api_contract(client: Client, city: City) -> None:
    client.force_login(city.officer)
    response = client.get("/api/v1/insights/reach/", {"region": "33.74"})
    assert response.status_code == 200
    data = response.json()
    assert list(data)[:6] == ["districts", "groups", "gini", "theil", "coverage", "never_reached"]
    assert set(data["districts"][0]) >= {"kode", "name", "participants", "population", "per_10k"}
    assert data["districts"][2] == {
        "kode": "33.74.03",
        "name": "Tugu",
        "participants": 20,
        "population": 70_000,
        "per_10k": 2.857143,
        "participant_share": 0.2,
        "population_share": 0.7,
        "representation_ratio": 0.285714,
    }
    assert data["public"] is False


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"region": "99.99"}, ["region"]),
        ({"sector": "99"}, ["sector"]),
        ({"kind": "picnic"}, ["kind"]),
        ({"year_from": "2024", "year_to": "2020"}, ["year_to"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_api_refuses_bad_parameters(
    client: Client, city: City, query: dict[str, str], names: list[str]
) -> None:
    response = client.get("/api/v1/insights/reach/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == names


def test_anonymous_api_gets_public_figures(client: Client, city: City) -> None:
    data = client.get("/api/v1/insights/reach/").json()
    assert (data["public"], data["outside_city"], data["total"]) == (True, None, 84)
    assert sum(row["participants"] or 0 for row in data["districts"]) == 50


def test_dashboards_and_csv(client: Client, city: City) -> None:
    assert client.get("/insights/reach/").status_code == 200
    assert client.get("/staff/insights/reach/").status_code == 302
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(city.officer)
    page = client.get("/staff/insights/reach/", {"kind": "festival"})
    assert page.status_code == 200
    assert page.context["data"]["districts"][2]["participants"] == 20
    download = client.get("/staff/insights/reach/", {"download": "districts"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["# 33.74"]
    assert rows[1][:5] == ["kode", "name", "participants", "population", "per_10k"]
    assert rows[2][:5] == ["33.74.01", "Semarang Tengah", "50", "10000", "50.0"]
    years = client.get("/staff/insights/reach/", {"download": "years", "year_from": "2024"})
    assert list(csv.reader(io.StringIO(years.content.decode())))[2:] == [["2024", "20"]]


def _page_total(response: Any) -> str:
    content = response.content.decode()
    start = content.index('id="reach-total">') + len('id="reach-total">')
    return content[start : content.index("</dd>", start)]


@pytest.mark.django_db(transaction=True)
def test_staff_dashboard_is_kept_until_the_data_changes(city: City) -> None:
    client = Client()
    client.force_login(city.officer)
    first = client.get("/staff/insights/reach/")
    second = client.get("/staff/insights/reach/")
    _activity(
        city.officer,
        city.orgs,
        "A-3",
        Partnership.objects.get(slug="smg-brisbane"),
        [
            ParticipantRow(
                "local", "government", "male", "25-44", 10, Region.objects.get(kode="33.74.01")
            )
        ],
    )
    third = client.get("/staff/insights/reach/")

    # The second answer is the body rendered for the first (its figures are not computed
    # again); the committed activity renews the data stamp, so the third is computed anew.
    assert ["data" in page.context for page in (first, second, third)] == [True, False, True]
    assert [_page_total(page) for page in (first, second, third)] == ["104", "104", "114"]
    assert third.context["data"]["districts"][0]["participants"] == 60


@pytest.mark.django_db(transaction=True)
def test_kept_staff_figures_never_reach_a_user_without_them(city: City) -> None:
    officer = Client()
    officer.force_login(city.officer)
    counterpart = Client()
    counterpart.force_login(
        UserFactory.create(role=Role.PARTNER_COUNTERPART, organisation=city.orgs.partner_government)
    )
    other_region = Client()
    other_region.force_login(
        UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=city.orgs.magelang)
    )
    staff = [officer.get("/staff/insights/reach/") for _ in range(2)]
    theirs = counterpart.get("/staff/insights/reach/")
    magelang = other_region.get("/staff/insights/reach/")

    assert [_page_total(page) for page in staff] == ["104", "104"]
    # Their own figures, computed for them: public ones, the small cell of Semarang Utara
    # suppressed, the internal partnership's 20 people not counted.
    assert theirs.status_code == 200
    assert theirs.context["data"]["total"] == 84
    assert [row["participants"] for row in theirs.context["data"]["districts"]] == [50, None, 0]
    assert _page_total(theirs) == "84"
    # Staff of another region see their own region's figures (Magelang has none).
    assert magelang.status_code == 200
    assert magelang.context["figures"].filters.region == "33.71"
    assert magelang.context["data"]["total"] == 0
    assert _page_total(magelang) == "0"
