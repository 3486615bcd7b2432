"""The list of Indonesia's diplomatic relations: shipped, checked, loaded once, then kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from kembar.geo.diplomacy import (
    DIPLOMACY_FILE,
    countries_without_relations,
    diplomatic_relations_apply,
    diplomatic_relations_read,
)
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import City, DiplomaticRelation
from kembar.geo.sources import read_countries
from kembar.geo.tests.factories import CountryFactory
from kembar.insights.network import city_recommendations, home_city_id, network_cache_clear

SHIPPED = settings.KEMBAR_DATA_DIR / DIPLOMACY_FILE
ISO = {row.iso2 for row in read_countries()}


def test_the_shipped_list_covers_every_country_and_names_the_exceptions() -> None:
    rows = diplomatic_relations_read(SHIPPED, countries=ISO)
    assert {row.iso2 for row in rows} == ISO - {"ID"}
    assert sorted(row.iso2 for row in rows if not row.has_relations) == [
        "AQ",
        "EH",
        "IL",
        "TW",
        "XK",
    ]
    relations = {row.iso2: row.has_relations for row in rows}
    assert [relations[code] for code in ("PS", "KP", "VA", "CN", "HK", "AU", "NL")] == [True] * 7
    assert {row.checked_on for row in rows} == {dt.date(2026, 12, 5)}
    assert all(row.source.startswith("Kemlu RI (kemlu.go.id)") for row in rows)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("ZZ,yes,,src,2026-12-05", "diplomatic_relations.csv, line 2: unknown country code 'ZZ'"),
        ("TW,maybe,,src,2026-12-05", "line 2: has_relations must be yes or no, not 'maybe'"),
        ("TW,no,,src,5/12/2026", "line 2: checked_on must be a date (YYYY-MM-DD), not '5/12/2026'"),
        ("TW,no,,,2026-12-05", "line 2: source is empty"),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "diplomatic_relations.csv"
    path.write_text(f"iso2,has_relations,note,source,checked_on\n{line}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as error:
        diplomatic_relations_read(path, countries=ISO)
    assert problem in str(error.value)


@pytest.mark.django_db
def test_a_later_load_adds_countries_and_keeps_the_administrators_edits(tmp_path: Path) -> None:
    for iso2 in ("TW", "KR"):
        CountryFactory.create(iso2=iso2, iso3=f"{iso2}X")
    path = tmp_path / "diplomatic_relations.csv"
    path.write_text(
        "iso2,has_relations,note,source,checked_on\nTW,no,one China,Kemlu,2026-12-05\n",
        encoding="utf-8",
    )
    assert diplomatic_relations_apply(diplomatic_relations_read(path, countries={"TW", "KR"})) == {
        "created": 1,
        "kept": 0,
    }
    DiplomaticRelation.objects.filter(country_id="TW").update(note="edited by an administrator")
    path.write_text(
        "iso2,has_relations,note,source,checked_on\n"
        "TW,no,one China,Kemlu,2026-12-05\nKR,yes,,Kemlu,2026-12-05\n",
        encoding="utf-8",
    )
    rows = diplomatic_relations_read(path, countries={"TW", "KR"})
    assert diplomatic_relations_apply(rows) == {"created": 1, "kept": 1}
    assert countries_without_relations() == {"TW": "edited by an administrator"}


@pytest.mark.slow
@pytest.mark.django_db
def test_semarang_is_not_recommended_a_city_in_taiwan(reference_db: None) -> None:
    """Kaohsiung ranked second for Semarang before the list was applied."""
    network_cache_clear()
    semarang = home_city_id("33.74")
    assert semarang is not None
    with translation.override("en"):
        found = city_recommendations(semarang, k=10)
    assert "TW" not in {item.country for item in found.items}
    assert [(item.name, item.country, item.rank) for item in found.excluded] == [
        ("Kaohsiung", "TW", 2)
    ]
    assert found.excluded[0].reason == "no diplomatic relations (PP 28/2018 Pasal 27)"
    assert City.objects.get(pk=found.excluded[0].id).country.name_id == "Taiwan"
    network_cache_clear()
