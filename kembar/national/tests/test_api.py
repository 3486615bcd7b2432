"""``/api/v1/national/regions/`` and ``/api/v1/national/flows/``: the contract, filters, access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from kembar.national.tests.record import Record

pytestmark = pytest.mark.django_db

REGIONS = "/api/v1/national/regions/"
FLOWS = "/api/v1/national/flows/"
CONTRACT = ["kode", "name", "partnerships", "active", "dormant", "participants_per_10k", "reported"]


def _client(record: Record, who: str) -> Client:
    client = Client()
    client.force_login(record.users[who])
    return client


def test_regions_answer_exactly_the_contract(record: Record) -> None:
    response = _client(record, "ministry").get(REGIONS, {"level": "kab_kota"})
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 3
    assert [list(row) for row in body["results"]] == [CONTRACT] * 3
    assert body["results"] == [
        {
            "kode": "33.71",
            "name": "Kota Magelang",
            "partnerships": 0,
            "active": 0,
            "dormant": 0,
            "participants_per_10k": 0.0,
            "reported": None,
        },
        {
            "kode": "33.74",
            "name": "Kota Semarang",
            "partnerships": 4,
            "active": 1,
            "dormant": 2,
            "participants_per_10k": 0.42,
            "reported": "on_time",
        },
        {
            "kode": "51.71",
            "name": "Kota Denpasar",
            "partnerships": 1,
            "active": 1,
            "dormant": 0,
            "participants_per_10k": None,
            "reported": None,
        },
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [("33.71", 0), ("33.74", 4), ("51.71", 1)]),
        ({"level": "province"}, [("33", 2), ("51", 0)]),
        ({"level": "kab_kota", "province": "51"}, [("51.71", 1)]),
        ({"level": "province", "province": "33"}, [("33", 2)]),
        ({"level": "kab_kota", "year": "2025"}, [("33.71", 0), ("33.74", 2), ("51.71", 1)]),
    ],
)
def test_level_province_and_year(
    record: Record, query: dict[str, str], expected: list[tuple[str, int]]
) -> None:
    body = _client(record, "administrator").get(REGIONS, query).json()
    assert [(row["kode"], row["partnerships"]) for row in body["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"level": "kecamatan"}, "level"),
        ({"level": "kab_kota", "province": "99"}, "province"),
        ({"level": "kab_kota", "year": "20x5"}, "year"),
        ({"levle": "province"}, "levle"),
    ],
)
def test_a_bad_parameter_is_400(record: Record, query: dict[str, str], field: str) -> None:
    response = _client(record, "ministry").get(REGIONS, query)
    assert response.status_code == 400
    assert field in response.json()["detail"]


def test_flows_count_partnerships_by_region_and_country(record: Record) -> None:
    client = _client(record, "ministry")
    body = client.get(FLOWS).json()
    assert [list(row) for row in body["results"]] == [["region", "country", "partnerships"]] * 6
    assert [tuple(row.values()) for row in body["results"]] == [
        ("33", "AU", 1),
        ("33", "CN", 1),
        ("33.74", "AU", 1),
        ("33.74", "CN", 2),
        ("33.74", "JP", 1),
        ("51.71", "AU", 1),
    ]
    kab_kota = client.get(FLOWS, {"level": "kab_kota", "province": "33"}).json()["results"]
    assert [(row["country"], row["partnerships"]) for row in kab_kota] == [
        ("AU", 1),
        ("CN", 2),
        ("JP", 1),
    ]


@pytest.mark.parametrize("who", ["officer", "agency", "partner", "supervisor"])
@pytest.mark.parametrize("url", [REGIONS, FLOWS])
def test_only_the_ministry_and_administrators(record: Record, who: str, url: str) -> None:
    assert _client(record, who).get(url).status_code == 403
    for allowed in ("ministry", "administrator"):
        assert _client(record, allowed).get(url).status_code == 200


@pytest.mark.parametrize("url", [REGIONS, FLOWS])
def test_anonymous_callers_are_refused(record: Record, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 403
    assert "results" not in response.json()


def test_the_schema_has_both_paths_without_warnings(tmp_path: Path) -> None:
    # The national endpoints alone must give no warning; the whole schema must hold them.
    alone = tmp_path / "national.yml"
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--urlconf",
        "kembar.national.tests.api_urlconf",
        "--file",
        str(alone),
    )
    whole = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(whole))
    for target in (alone, whole):
        schema: dict[str, Any] = yaml.safe_load(target.read_text())
        assert {REGIONS, FLOWS} <= set(schema["paths"])
        region = schema["components"]["schemas"]["NationalRegion"]
        assert list(region["properties"]) == CONTRACT
        flow = schema["components"]["schemas"]["NationalFlow"]
        assert list(flow["properties"]) == ["region", "country", "partnerships"]
        parameters = {item["name"] for item in schema["paths"][REGIONS]["get"]["parameters"]}
        assert {"level", "province", "year", "page", "page_size"} <= parameters
