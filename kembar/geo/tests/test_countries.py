"""Country names follow official Indonesian usage, and country lists sort in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from kembar.geo.models import Country
from kembar.geo.sources import read_countries
from kembar.geo.tests.factories import CountryFactory
from kembar.partnerships.forms import InboundRequestForm, PartnershipFilterForm

NAMES = {
    "CN": ("China", "Tiongkok"),
    "JP": ("Japan", "Jepang"),
    "NL": ("Netherlands", "Belanda"),
    "US": ("United States", "Amerika Serikat"),
    "AX": ("Åland Islands", "Kepulauan Åland"),
}


def test_indonesian_names_are_the_official_ones() -> None:
    names = {row.iso2: row.name_id for row in read_countries()}
    assert {code: names[code] for code in ("CN", "TL", "TW", "FR", "AE", "VA", "PS", "KR")} == {
        "CN": "Tiongkok",
        "TL": "Timor-Leste",
        "TW": "Taiwan",
        "FR": "Prancis",
        "AE": "Persatuan Emirat Arab",
        "VA": "Takhta Suci (Vatikan)",
        "PS": "Palestina",
        "KR": "Korea Selatan",
    }


@pytest.fixture
def countries() -> None:
    for iso2, (name_en, name_id) in NAMES.items():
        CountryFactory.create(iso2=iso2, iso3=f"{iso2}X", name_en=name_en, name_id=name_id)


def _labels(field: object) -> list[str]:
    return [str(label) for _value, label in field.choices][1:]  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", ["Amerika Serikat", "Belanda", "Jepang", "Kepulauan Åland", "Tiongkok"]),
        ("en", ["Åland Islands", "China", "Japan", "Netherlands", "United States"]),
    ],
)
def test_country_lists_sort_in_the_users_language(
    countries: None, language: str, expected: list[str]
) -> None:
    with translation.override(language):
        request_form = InboundRequestForm(user=None)
        assert _labels(request_form.fields["partner_country"]) == expected
        filter_form = PartnershipFilterForm(countries=Country.objects.all())
        assert _labels(filter_form.fields["country"]) == expected
