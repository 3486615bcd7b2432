"""The figures per region, flows, reports and similar regions of the record of :mod:`.record`."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.national.comparison import grdp_of, similar_regions
from kembar.national.compliance import report_compliance
from kembar.national.selectors import (
    country_flows,
    partner_city_flows,
    region_figures,
    region_flows,
)
from kembar.national.tests.record import Record

pytestmark = pytest.mark.django_db

KEYS = ("kode", "partnerships", "active", "dormant", "participants_per_10k", "reported")


def _rows(figures: object, keys: tuple[str, ...] = KEYS) -> list[tuple[object, ...]]:
    return [tuple(row[key] for key in keys) for row in figures.rows]  # type: ignore[attr-defined]


def test_kab_kota_now(record: Record) -> None:
    figures = region_figures(level="kab_kota")
    assert figures.period == 2024
    assert figures.as_of == dt.date(2025, 6, 30)
    assert _rows(figures) == [
        ("33.71", 0, 0, 0, 0.0, None),
        ("33.74", 4, 1, 2, 0.42, "on_time"),
        ("51.71", 1, 1, 0, None, None),
    ]
    semarang = figures.rows[1]
    assert semarang["name"] == "Kota Semarang"
    assert (semarang["share_active"], semarang["share_dormant"]) == (0.25, 0.5)
    assert (semarang["unknown"], semarang["at_risk"], semarang["ended"]) == (1, 0, 0)
    assert (semarang["participants"], semarang["activities"]) == (67, 3)
    assert (semarang["province"], semarang["island"]) == ("33", "jawa")
    assert (semarang["report_sent_on"], semarang["report_due_on"]) == (
        dt.date(2025, 3, 20),
        dt.date(2025, 3, 31),
    )
    # 3 people in Denpasar: neither the count nor the rate (rate × population = count).
    assert (figures.rows[2]["participants"], figures.rows[2]["participants_per_10k"]) == (
        None,
        None,
    )
    assert [row["kode"] for row in figures.without_partnerships] == ["33.71"]
    assert figures.totals() == {
        "partnerships": 5,
        "active": 2,
        "at_risk": 0,
        "dormant": 2,
        "ended": 0,
        "activities": 4,
        "regions": 3,
        "regions_without": 1,
    }


def test_provinces_with_their_kab_kota(record: Record) -> None:
    figures = region_figures(level="province")
    assert _rows(figures) == [("33", 2, 0, 1, 0.0, "late"), ("51", 0, 0, 0, 0.0, None)]
    assert [
        (row["ended"], row["with_kab_kota"], row["kab_kota_without"]) for row in figures.rows
    ] == [(1, 6, 1), (0, 1, 0)]
    assert [row["island"] for row in figures.rows] == ["jawa", "bali_nusa_tenggara"]


def test_one_province_and_its_kab_kota(record: Record) -> None:
    assert [row["kode"] for row in region_figures(level="kab_kota", within="33").rows] == [
        "33.71",
        "33.74",
    ]
    assert [row["kode"] for row in region_figures(level="province", within="51").rows] == ["51"]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2025,
            # 40 of 1,600,000 residents; the 2025 reports are not due until 31 March 2026.
            [("33.71", 0, 0, 0, 0.0, None), ("33.74", 2, 1, 1, 0.25, "pending"),
             ("51.71", 1, 1, 0, None, "pending")],
        ),
        (
            2024,
            # 25 hidden: with 2025's 40 and the total it would give 2023's 2.
            [("33.71", 0, 0, 0, 0.0, None), ("33.74", 2, 1, 1, None, "on_time"),
             ("51.71", 0, 0, 0, 0.0, None)],
        ),
        (
            2023,
            [("33.71", 0, 0, 0, 0.0, None), ("33.74", 2, 1, 1, None, "missing"),
             ("51.71", 0, 0, 0, 0.0, None)],
        ),
        (
            2020,
            [("33.71", 0, 0, 0, 0.0, None), ("33.74", 1, 0, 0, 0.0, "missing"),
             ("51.71", 0, 0, 0, 0.0, None)],
        ),
    ],
)  # fmt: skip
def test_kab_kota_in_a_year(record: Record, year: int, expected: list[tuple[object, ...]]) -> None:
    figures = region_figures(level="kab_kota", year=year)
    assert figures.period == year
    assert _rows(figures) == expected


def test_flows(record: Record) -> None:
    assert [(row["region"], row["country"], row["partnerships"]) for row in region_flows()] == [
        ("33", "AU", 1),
        ("33", "CN", 1),
        ("33.74", "AU", 1),
        ("33.74", "CN", 2),
        ("33.74", "JP", 1),
        ("51.71", "AU", 1),
    ]
    assert [row["region"] for row in region_flows(level="province")] == ["33", "33"]
    assert [row["country"] for row in region_flows(level="kab_kota", within="33")] == [
        "AU",
        "CN",
        "JP",
    ]
    with_english = [
        (row["country"], row["partnerships"], row["regions"]) for row in country_flows()
    ]
    assert with_english == [("AU", 3, 3), ("CN", 3, 2), ("JP", 1, 1)]
    lines = partner_city_flows(level="kab_kota")
    assert [(line["region"], line["city"], line["partnerships"]) for line in lines] == [
        ("33.74", "Brisbane", 1),
        ("33.74", "Fuzhou", 1),
        ("33.74", "Nanjing", 1),
        ("33.74", "Kobe", 1),
        ("51.71", "Darwin", 1),
    ]
    assert lines[0]["from"] == [-7.0, 110.4] and lines[0]["to"] == [-27.47, 153.03]


def test_compliance_by_period(record: Record) -> None:
    period_2024 = report_compliance(period=2024)
    assert [(row["kode"], row["status"], row["days_late"]) for row in period_2024.rows] == [
        ("33", "late", 15),
        ("33.74", "on_time", None),
    ]
    assert [(item["status"], item["count"]) for item in period_2024.counts()] == [
        ("on_time", 1),
        ("late", 1),
        ("missing", 0),
        ("pending", 0),
    ]
    period_2025 = report_compliance(period=2025, level="kab_kota")
    assert [(row["kode"], row["status"]) for row in period_2025.rows] == [
        ("33.74", "pending"),
        ("51.71", "pending"),
    ]
    assert period_2025.due_on == dt.date(2026, 3, 31)
    assert [(row["kode"], row["status"]) for row in report_compliance(period=2013).rows] == [
        ("33", "missing")
    ]


def test_similar_regions(record: Record) -> None:
    comparison = similar_regions("33.74")
    assert comparison is not None
    # Denpasar: half the size (ln 2) on another island group (+1); Magelang: 12.8 times smaller.
    assert [(row["kode"], row["distance"]) for row in comparison.rows] == [
        ("33.74", 0.0),
        ("51.71", 1.6931),
        ("33.71", 2.5494),
    ]
    # Semarang's shipped GRDP: 115,298.2 billion rupiah of 2016 at constant 2010 prices.
    assert comparison.region["grdp_per_capita"] == {
        "value": 72_061_375,
        "year": 2016,
        "basis": "ADHK2010",
        "file": "semarang_pdrb_adhk2010_17sektor_2014_2016.csv",
    }
    assert [row["grdp_per_capita"] for row in comparison.similar] == [None, None]
    province = similar_regions("33")
    assert province is not None
    # Jawa Tengah 2024 at current prices: 1,817,777 billion rupiah for 38,000,000 residents.
    assert province.region["grdp_per_capita"]["value"] == 47_836_237
    assert [(row["kode"], row["distance"]) for row in province.similar] == [("51", 3.2513)]
    assert similar_regions("33.74.01") is None
    assert grdp_of("51") is None
