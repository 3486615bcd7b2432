"""Regional tables, multipliers and the impact of a portfolio, computed by hand.

**Regionalisation** (3 sectors).  National output x = (500, 800, 1000),
technical coefficients A = [[.2, .3, .1], [.1, .2, .3], [.2, .1, .1]], so
Z = A x̂; value added (200, 300, 500), compensation (100, 150, 250),
household consumption (30, 200, 300).  The region's value added is
(40, 30, 30):

- SLQ_i = (40/100, 30/100, 30/100) ÷ (200/1000, 300/1000, 500/1000) = (2, 1, 0.6);
- SLQ keeps rows 1 and 2 (SLQ ≥ 1) and scales row 3 by 0.6;
- CILQ_ij = SLQ_i / SLQ_j (SLQ_i on the diagonal): row 2 becomes (.5, 1, 1.67),
  row 3 (.3, .6, .6), so r_21 = .05 and r_3j = .06;
- FLQ = λ* CILQ with λ* = log2(1 + 100/1000)^δ;
- regional output = value added ÷ national ratio (.4, .375, .5) = (100, 80, 60);
  compensation (20, 15, 15) at the national ratios; households spend
  (30, 200, 300)/500 per rupiah of compensation, × 50 = (3, 20, 30).

**Impact** (2 sectors, the table of :mod:`kembar.analytics.io`'s examples, in
million rupiah): A = [[.2, .3], [.4, .1]], L = [[1.5, .5], [2/3, 4/3]],
h_R = (.2, .3), h_C = (10, 90)/80 = (.125, 1.125), v = (.3, .5).  Then
h_R L = (.5, .5), L h_C = (.75, 19/12), h_R L h_C = .625, and
L̄ − L = (L h_C)(h_R L)/(1 − .625).  An export contract of US$125,000 at
16,000 (Rp 2,000,000,000 = 2,000 million) on sector 1 in 2024 and 100
visitors × 4 days × Rp 1,500,000 (600 million) on sector 2 in 2025 give
f = (2000, 600) million:

- direct output (2000, 600); indirect (L − I)f = (1300, 1533.33…);
- induced = (.75, 19/12) × (.5·2000 + .5·600)/.375 = (2600, 5488.88…);
- value added v̂ × each: direct (600, 300), indirect (390, 766.66…),
  induced (780, 2744.44…).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.analytics.io import IOTable, technical_coefficients
from kembar.insights.economy import (
    REGIONS,
    CrossSectorFilters,
    EconomyTable,
    ImpactFilters,
    cross_sector_figures,
    economy_table,
    grdp_measure,
    impact_figures,
    multiplier_figures,
    regional_table,
)
from kembar.insights.io_sources import Sector as TableSector
from kembar.insights.models import PrioritySector
from kembar.insights.tests.io_tables import BPS_DIR
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.effects import EffectData, activity_effect_save
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

NATIONAL_A = [[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.2, 0.1, 0.1]]
MILLION = 1_000_000


def three_sectors() -> IOTable:
    output = np.array([500.0, 800.0, 1000.0])
    z = np.array(NATIONAL_A) * output[np.newaxis, :]
    return IOTable(
        intermediate=z,
        final_demand=output - z.sum(axis=1),
        household_consumption=[30, 200, 300],
        primary_inputs=output - z.sum(axis=0),
        compensation=[100, 150, 250],
        value_added=[200, 300, 500],
        output=output,
    )


REGIONAL_VA = [40, 30, 30]


def test_slq_by_hand() -> None:
    table, made = regional_table(three_sectors(), REGIONAL_VA, method="SLQ")
    assert made.quotients[:, 0] == pytest.approx([2, 1, 0.6])
    assert (made.method, made.delta, made.scale) == ("SLQ", None, None)
    assert technical_coefficients(table) == pytest.approx(
        np.array([[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.12, 0.06, 0.06]])
    )
    assert table.output == pytest.approx([100, 80, 60])
    assert table.value_added == pytest.approx(REGIONAL_VA)
    assert table.compensation == pytest.approx([20, 15, 15])
    assert table.household_consumption == pytest.approx([3, 20, 30])
    # Rows and columns close: final demand and primary inputs take up the rest.
    assert table.final_demand == pytest.approx([100 - 50, 80 - 44, 60 - 20.4])


def test_cilq_by_hand() -> None:
    table, made = regional_table(three_sectors(), REGIONAL_VA, method="CILQ")
    assert made.quotients == pytest.approx(
        np.array([[2, 2, 2 / 0.6], [0.5, 1, 1 / 0.6], [0.3, 0.6, 0.6]])
    )
    assert technical_coefficients(table) == pytest.approx(
        np.array([[0.2, 0.3, 0.1], [0.05, 0.2, 0.3], [0.06, 0.06, 0.06]])
    )


@pytest.mark.parametrize("delta", [0.1, 0.3])
def test_flq_by_hand(delta: float) -> None:
    table, made = regional_table(three_sectors(), REGIONAL_VA, method="FLQ", delta=delta)
    scale = math.log2(1.1) ** delta
    assert (made.method, made.delta, made.scale) == ("FLQ", delta, pytest.approx(scale))
    cilq = np.array([[2, 2, 2 / 0.6], [0.5, 1, 1 / 0.6], [0.3, 0.6, 0.6]])
    expected = np.array(NATIONAL_A) * np.minimum(scale * cilq, 1)
    assert technical_coefficients(table) == pytest.approx(expected)
    # δ = 0.3: λ* = 0.5514, so row 1 (λ* × 2 > 1) keeps its national coefficients.
    assert expected[0] == pytest.approx(NATIONAL_A[0])


def test_grdp_measures_pick_the_year_closest_to_2020() -> None:
    sectors = economy_table("national").sectors
    data_dir = settings.KEMBAR_DATA_DIR
    central_java = grdp_measure(REGIONS["33"], sectors, data_dir=data_dir)
    assert (central_java.year, central_java.basis, central_java.revalued) == (2020, "ADHB", False)
    # Agriculture, 192,607 miliar rupiah = 192,607,000 million.
    assert central_java.values[0] == pytest.approx(192_607_000)
    assert central_java.values.sum() == pytest.approx(1_347_224_000)
    semarang = grdp_measure(REGIONS["33.74"], sectors, data_dir=data_dir)
    assert (semarang.year, semarang.basis, semarang.revalued) == (2016, "ADHK2010", True)
    # 1,079.01 miliar at 2010 prices × Jawa Tengah's 2020 deflator 192,607 / 126,112.
    assert semarang.values[0] == pytest.approx(1079.01 * 192_607 / 126_112 * 1000)
    # Business services (KBLI M,N): 714.99 × 5,418 / 3,703.
    assert semarang.values[12] == pytest.approx(714.99 * 5418 / 3703 * 1000)


def test_national_multipliers_equal_the_command() -> None:
    out = io.StringIO()
    call_command("io_multipliers", "--table", str(BPS_DIR), stdout=out)
    command = json.loads(out.getvalue())
    with translation.override("id"):
        figures = multiplier_figures(economy_table("national"))
    assert figures["sectors"] == command["sectors"]
    assert (figures["region"], figures["method"], figures["delta"]) == ("national", None, None)
    assert figures["table"]["household_income"] == command["method"]["household_income"]
    assert figures["table"]["regionalisation"] is None


@pytest.mark.parametrize(
    ("region", "method", "delta", "used_delta", "year"),
    [
        ("33", "flq", 0.3, 0.3, 2020),
        ("33", "slq", 0.3, None, 2020),
        ("33.74", "flq", 0.2, 0.2, 2016),
        ("33.74", "cilq", 0.3, None, 2016),
    ],
)
def test_every_regional_table_says_how_it_was_made(
    region: str, method: str, delta: float, used_delta: float | None, year: int
) -> None:
    figures = multiplier_figures(economy_table(region, method, delta))
    assert (figures["region"], figures["method"], figures["delta"]) == (region, method, used_delta)
    made = figures["table"]["regionalisation"]
    assert (made["method"], made["delta"], made["measure_year"]) == (method, used_delta, year)
    assert (made["flegg_lambda"] is None) == (method != "flq")
    assert figures["table"]["region"]["code"] == region
    assert len(figures["sectors"]) == 17
    national = multiplier_figures(economy_table("national"))["sectors"]
    # Regional tables buy less from themselves: every output multiplier is smaller.
    assert all(
        mine["output_multiplier"] < theirs["output_multiplier"]
        for mine, theirs in zip(figures["sectors"], national, strict=True)
    )


def test_the_table_is_cached_per_region_method_and_delta() -> None:
    assert economy_table("33.74", "flq", 0.3) is economy_table("33.74", "flq", 0.3)
    assert economy_table("33.74", "flq", 0.3) is not economy_table("33.74", "flq", 0.25)
    # δ means nothing to SLQ: any δ gives the same table.
    assert economy_table("33", "slq", 0.1) is economy_table("33", "slq", 0.4)


# --- Impact ---------------------------------------------------------------------------------


def two_sector_table() -> EconomyTable:
    table = IOTable(
        intermediate=[[20, 60], [40, 20]],
        final_demand=[20, 140],
        household_consumption=[10, 90],
        primary_inputs=[40, 120],
        compensation=[20, 60],
        value_added=[30, 100],
        output=[100, 200],
    )
    sectors = (
        TableSector(1, "A", "Pertanian", "Agriculture"),
        TableSector(2, "B", "Pertambangan", "Mining"),
    )
    return EconomyTable(
        region="33.74",
        region_name="Kota Semarang",
        table=table,
        sectors=sectors,
        method="flq",
        delta=0.3,
        source="a two-sector test table (million rupiah)",
    )


@dataclasses.dataclass
class Portfolio:
    orgs: StandardOrganisations
    officer: Any


@pytest.fixture
def portfolio(db: None) -> Portfolio:
    orgs = standard_organisations()
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    first = SectorFactory.create(code=1, kbli_sections="A", name_id="Pertanian", name_en="Agri")
    second = SectorFactory.create(code=2, kbli_sections="B", name_id="Tambang", name_en="Mining")
    brisbane = PartnershipFactory.create(slug="smg-brisbane", partner_name="Brisbane")
    nanjing = PartnershipFactory.create(slug="smg-nanjing", partner_name="Nanjing")
    trade_mission = ActivityFactory.create(
        partnership=brisbane,
        agency=orgs.dinas_pendidikan,
        sector=first,
        start_date=dt.date(2024, 3, 4),
        end_date=dt.date(2024, 3, 8),
        participants_local=20,
    )
    festival = ActivityFactory.create(
        partnership=nanjing,
        agency=orgs.dinas_pendidikan,
        sector=second,
        start_date=dt.date(2025, 8, 1),
        end_date=dt.date(2025, 8, 4),
        participants_local=100,
    )
    activity_effect_save(
        actor=officer,
        activity=trade_mission,
        data=EffectData(
            kind="export_contract",
            sector=first,
            year=2024,
            source="contract",
            amount=Decimal(125_000),
            currency="USD",
            rate_to_idr=Decimal(16_000),
        ),
    )
    activity_effect_save(
        actor=officer,
        activity=festival,
        data=EffectData(
            kind="visitor_spending",
            sector=second,
            year=2025,
            source="visitor survey",
            visitors=100,
            days=4,
            spending_per_day_idr=Decimal(1_500_000),
        ),
    )
    return Portfolio(orgs=orgs, officer=officer)


IMPACT_TOTALS = {
    "final_demand": 2600,
    "output_direct": 2600,
    "output_indirect": 1300 + 4600 / 3,
    "output_induced": 2600 + 1300 / 0.375 * 19 / 12,
    "value_added_direct": 900,
    "value_added_indirect": 390 + 2300 / 3,
    "value_added_induced": 780 + 0.5 * 1300 / 0.375 * 19 / 12,
}


def millions(row: dict[str, Any]) -> dict[str, float]:
    return {key: value / MILLION for key, value in row.items() if key in IMPACT_TOTALS}


def test_impact_by_hand(portfolio: Portfolio) -> None:
    figures = impact_figures(
        filters=ImpactFilters(), user=portfolio.officer, table=two_sector_table()
    )
    assert figures["units"] == "IDR"
    assert millions(figures["totals"]) == pytest.approx(IMPACT_TOTALS)
    assert figures["totals"]["output_total"] == pytest.approx(
        sum(IMPACT_TOTALS[f"output_{part}"] for part in ("direct", "indirect", "induced")) * MILLION
    )
    first, second = figures["by_sector"]
    assert millions(first) == pytest.approx(
        {
            "final_demand": 2000,
            "output_direct": 2000,
            "output_indirect": 1300,
            "output_induced": 2600,
            "value_added_direct": 600,
            "value_added_indirect": 390,
            "value_added_induced": 780,
        }
    )
    assert second["output_induced"] / MILLION == pytest.approx(1300 / 0.375 * 19 / 12)
    assert second["value_added_indirect"] / MILLION == pytest.approx(0.5 * 4600 / 3)
    brisbane, nanjing = figures["by_partnership"]
    assert (brisbane["slug"], nanjing["slug"]) == ("smg-brisbane", "smg-nanjing")
    # Brisbane: f = (2000, 0); induced (.75 + 19/12) × 1000 / .375.
    assert brisbane["output_indirect"] / MILLION == pytest.approx(1000 + 4000 / 3)
    assert brisbane["output_induced"] / MILLION == pytest.approx((0.75 + 19 / 12) * 1000 / 0.375)
    assert nanjing["final_demand"] == pytest.approx(600 * MILLION)
    assert [(row["year"], row["final_demand"]) for row in figures["by_year"]] == [
        (2024, pytest.approx(2000 * MILLION)),
        (2025, pytest.approx(600 * MILLION)),
    ]
    assert figures["effects"]["count"] == 2
    assert figures["effects"]["amount_idr"] == pytest.approx(2600 * MILLION)
    assert [kind["kind"] for kind in figures["effects"]["by_kind"]] == [
        "export_contract",
        "visitor_spending",
    ]
    assert figures["includes_demo"] is False
    assert len(figures["assumptions"]) == 6


def test_impact_filters(portfolio: Portfolio) -> None:
    def final_demand(**filters: Any) -> float:
        figures = impact_figures(
            filters=ImpactFilters(**filters), user=portfolio.officer, table=two_sector_table()
        )
        return float(figures["totals"]["final_demand"]) / MILLION

    assert final_demand(partnership="smg-nanjing") == pytest.approx(600)
    assert final_demand(year=2024) == pytest.approx(2000)
    assert final_demand(year=2023) == 0
    assert final_demand(demo=True) == 0


def test_impact_counts_only_partnerships_the_user_may_see(portfolio: Portfolio) -> None:
    outsider = UserFactory.create(
        role=Role.COOPERATION_OFFICER, organisation=portfolio.orgs.magelang
    )
    figures = impact_figures(filters=ImpactFilters(), user=outsider, table=two_sector_table())
    assert figures["effects"]["count"] == 0
    assert figures["totals"]["output_total"] == 0
    assert figures["by_partnership"] == []


def test_impact_with_the_semarang_table_is_in_rupiah(portfolio: Portfolio) -> None:
    figures = impact_figures(filters=ImpactFilters(), user=portfolio.officer)
    assert (figures["region"], figures["method"], figures["delta"]) == ("33.74", "flq", 0.3)
    assert figures["table"]["unit_idr"] == MILLION
    totals = figures["totals"]
    assert totals["output_direct"] == pytest.approx(2_600_000_000)
    # Output multipliers of Semarang's table lie between 1 and 1.4: so does the Type I ratio.
    ratio = (totals["output_direct"] + totals["output_indirect"]) / totals["output_direct"]
    assert 1 < ratio < 1.4


# --- Cross-sector ---------------------------------------------------------------------------


def test_cross_sector_matrix_and_priority_gaps(portfolio: Portfolio) -> None:
    manufacturing = SectorFactory.create(
        code=3, kbli_sections="C", name_id="Industri", name_en="Manufacturing"
    )
    PrioritySector.objects.create(
        region_id="33.74", sector_id=1, plan="RPJMD Kota Semarang 2021–2026"
    )
    PrioritySector.objects.create(
        region_id="33.74", sector_id=3, plan="RPJMD Kota Semarang 2021–2026"
    )
    ActivityFactory.create(
        partnership=PartnershipFactory.create(slug="smg-cancelled"),
        agency=portfolio.orgs.dinas_pendidikan,
        sector=manufacturing,
        status="cancelled",
        participants_local=5,
    )
    figures = cross_sector_figures(filters=CrossSectorFilters(), user=portfolio.officer)
    assert [(row["code"], row["status"]) for row in figures["sectors"]] == [
        (1, "covered"),
        (2, "outside_priorities"),
        (3, "gap"),
    ]
    assert figures["priorities"] == {
        "plans": ["RPJMD Kota Semarang 2021–2026"],
        "gaps": [3],
        "covered": [1],
        "outside_priorities": [2],
    }
    assert [row["slug"] for row in figures["partnerships"]] == ["smg-brisbane", "smg-nanjing"]
    brisbane = figures["partnerships"][0]
    assert brisbane["cells"] == [
        {"sector": 1, "activities": 1, "participants": 20, "agencies": 1},
        {"sector": 2, "activities": 0, "participants": 0, "agencies": 0},
        {"sector": 3, "activities": 0, "participants": 0, "agencies": 0},
    ]
    assert (brisbane["activities"], brisbane["sectors_covered"]) == (1, 1)
    (agency,) = figures["agencies"]
    assert agency["name"] == "Dinas Pendidikan"
    assert [cell["activities"] for cell in agency["cells"]] == [1, 1, 0]
    assert agency["participants"] == 120

    later = cross_sector_figures(filters=CrossSectorFilters(year_from=2025), user=portfolio.officer)
    assert [row["status"] for row in later["sectors"]] == ["gap", "outside_priorities", "gap"]
