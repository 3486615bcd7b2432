"""Search across public partnerships and public activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.portal.search import PER_PAGE
from kembar.programs.tests.factories import ActivityFactory

from .test_partnership_page import english

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> None:
    semarang_record_load()


def hits(response: Any, key: str) -> list[str]:
    """The references (activities) or slugs (partnerships) on the page of section ``key``."""
    section = next(s for s in response.context["page"].sections if s.source.key == key)
    return [
        str(getattr(hit, "reference", None) or getattr(hit, "slug", ""))
        for hit in section.page.object_list
    ]


def test_search_finds_partnerships_and_activities_in_both_languages(
    client: Client, record: None
) -> None:
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    ActivityFactory.create(
        reference="SMG-BNE-1",
        partnership=brisbane,
        title_id="Pelatihan guru sains",
        title_en="Science teacher training",
        description_en="Hosted by a Brisbane school.",
    )
    ActivityFactory.create(
        reference="SMG-NKG-1",
        partnership=Partnership.objects.get(slug="smg-nanjing"),
        title_id="Festival budaya",
        title_en="Culture festival",
        description_id="Pertunjukan dari Brisbane.",
    )
    ActivityFactory.create(
        reference="SMG-INTERNAL-1",
        partnership=PartnershipFactory.create(slug="smg-internal", is_public=False),
        title_en="Brisbane internal planning",
    )
    english(client)

    response = client.get("/search/", {"q": "brisbane"})

    assert response.status_code == 200
    assert hits(response, "partnerships") == ["smg-brisbane"]
    assert sorted(hits(response, "activities")) == ["SMG-BNE-1", "SMG-NKG-1"]
    html = response.content.decode()
    assert "3 results for “brisbane”." in html
    assert '<a href="/activities/SMG-NKG-1/">' in html
    assert '<a href="/partnerships/smg-brisbane/">' in html
    assert "SMG-INTERNAL-1" not in html
    # Every word must match: the Indonesian title and the partner city.
    both = client.get("/search/", {"q": "GURU Brisbane"})
    assert hits(both, "activities") == ["SMG-BNE-1"]
    assert hits(both, "partnerships") == []


def test_search_pages_each_section(client: Client, record: None) -> None:
    brisbane = Partnership.objects.get(slug="smg-brisbane")
    for n in range(PER_PAGE + 2):
        ActivityFactory.create(
            reference=f"SMG-BNE-{n:02d}",
            partnership=brisbane,
            title_en=f"Harbour workshop {n}",
            start_date=dt.date(2024, 1, 1) + dt.timedelta(days=n),
            end_date=dt.date(2024, 1, 1) + dt.timedelta(days=n),
        )
    english(client)

    first = client.get("/search/", {"q": "harbour"})
    second = client.get("/search/", {"q": "harbour", "activities_page": "2"})

    assert hits(first, "activities") == [f"SMG-BNE-{n:02d}" for n in range(11, 1, -1)]
    assert hits(second, "activities") == ["SMG-BNE-01", "SMG-BNE-00"]
    html = first.content.decode()
    assert '<a href="?q=harbour&amp;activities_page=2" rel="next">Next</a>' in html
    assert "Page 1 of 2" in html
    assert '<a href="?q=harbour" rel="prev">Previous</a>' in second.content.decode()


def test_search_empty_states(client: Client, record: None) -> None:
    english(client)

    blank = client.get("/search/").content.decode()
    nothing = client.get("/search/", {"q": "zzzyx"}).content.decode()

    assert 'id="search-empty"' in blank and 'id="search-total"' not in blank
    assert "0 results for “zzzyx”." in nothing
    assert nothing.count("Nothing found here.") == 3  # partnerships, activities, opportunities


def test_search_in_indonesian(client: Client, record: None) -> None:
    response = client.get("/search/", {"q": "brisbane"})

    assert '<html lang="id">' in response.content.decode()
    assert hits(response, "partnerships") == ["smg-brisbane"]
