"""Participants in the cross-sector view follow the activities API's disclosure rule.

Brisbane's counterpart sees Brisbane's activities but not their participants'
breakdown.  Brisbane has three activities: in sector 1 one with 3 local and 10
partner participants (the API hides both: 3 is small, and 10 would give it
back from the total of 13) and one with 20 local; in sector 2 one with 12
local.  A figure that would include the hidden 3 is null for the counterpart,
so that nothing the API hides can be worked out from the view; the region's
officer sees every figure.  The public gets no participant figures at all.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.insights.economy import CrossSectorFilters, cross_sector_figures
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class People:
    partner: User
    officer: User


@pytest.fixture
def people() -> People:
    orgs = standard_organisations()
    first = SectorFactory.create(code=1, kbli_sections="A", name_id="Pertanian", name_en="Agri")
    second = SectorFactory.create(code=2, kbli_sections="B", name_id="Tambang", name_en="Mining")
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane", partner_name="Brisbane", partner_city=orgs.partner_city
    )
    for sector, local, partner in ((first, 3, 10), (first, 20, 0), (second, 12, 0)):
        ActivityFactory.create(
            partnership=brisbane,
            agency=orgs.dinas_pendidikan,
            sector=sector,
            participants_local=local,
            participants_partner=partner,
        )
    return People(
        partner=UserFactory.create(
            role=Role.PARTNER_COUNTERPART, organisation=orgs.partner_government
        ),
        officer=UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang),
    )


def _participants(figures: dict[str, Any]) -> dict[str, Any]:
    def matrix(rows: list[dict[str, Any]]) -> list[Any]:
        return [
            (row["slug"], [cell["participants"] for cell in row["cells"]], row["participants"])
            for row in rows
        ]

    return {
        "sectors": [row["participants"] for row in figures["sectors"]],
        "partnerships": matrix(figures["partnerships"]),
        "agencies": matrix(figures["agencies"]),
        "withheld": figures["participants_withheld"],
    }


PARTNER = {
    "sectors": [None, 12],
    "partnerships": [("smg-brisbane", [None, 12], None)],
    "agencies": [("disdik-semarang", [None, 12], None)],
    "withheld": True,
}
OFFICER = {
    "sectors": [23, 12],
    "partnerships": [("smg-brisbane", [23, 12], 35)],
    "agencies": [("disdik-semarang", [23, 12], 35)],
    "withheld": False,
}


@pytest.mark.parametrize(("who", "expected"), [("partner", PARTNER), ("officer", OFFICER)])
def test_cross_sector_participants(people: People, who: str, expected: dict[str, Any]) -> None:
    figures = cross_sector_figures(filters=CrossSectorFilters(), user=getattr(people, who))

    assert _participants(figures) == expected
    # Activities are counted whoever asks.
    assert [row["activities"] for row in figures["sectors"]] == [2, 1]


def test_cross_sector_api_for_the_counterpart(client: Client, people: People) -> None:
    client.force_login(people.partner)

    data = client.get("/api/v1/insights/cross-sector/").json()

    assert _participants(data) == PARTNER


def test_staff_page_and_download_for_the_counterpart(client: Client, people: People) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(people.partner)

    page = client.get("/staff/insights/economy/").content.decode()
    download = client.get("/staff/insights/economy/", {"download": "partnership_sectors"})

    row = page.split('<tr data-slug="smg-brisbane">', 1)[1].split("</tr>", 1)[0]
    assert '2<span class="muted"> / not shown</span>' in row
    assert '1<span class="muted"> / 12</span>' in row
    assert "Counts of fewer than 5 people are not shown" in page
    lines = download.content.decode().splitlines()
    assert lines[-2:] == ["smg-brisbane,Brisbane,1,2,", "smg-brisbane,Brisbane,2,1,12"]


def test_the_public_gets_no_participant_figures(client: Client, people: People) -> None:
    assert client.get("/api/v1/insights/cross-sector/").status_code in (401, 403)
    page = client.get("/insights/economy/", HTTP_ACCEPT_LANGUAGE="en")
    download = client.get("/insights/economy/", {"download": "partnership_sectors"})

    assert page.status_code == 200
    assert 'id="economy-cross-sector"' not in page.content.decode()
    # A staff download asked of the public page gives the page, not the figures.
    assert download["Content-Type"].startswith("text/html")


@pytest.mark.django_db(transaction=True)
def test_kept_officer_page_never_reaches_the_counterpart(people: People) -> None:
    # Both see the same partnership; only the officer sees its participants' breakdown.
    officer, partner = Client(), Client()
    officer.force_login(people.officer)
    partner.force_login(people.partner)
    officer_pages = [officer.get("/staff/insights/economy/") for _ in range(2)]
    partner_pages = [partner.get("/staff/insights/economy/") for _ in range(2)]

    # Each user's first answer is computed for them, the second is the body kept for them.
    assert ["cross" in page.context for page in officer_pages] == [True, False]
    assert ["cross" in page.context for page in partner_pages] == [True, False]
    assert _participants(partner_pages[0].context["cross"]) == PARTNER
    assert _participants(officer_pages[0].context["cross"]) == OFFICER
    for page in partner_pages:
        row = page.content.decode().split('<tr data-slug="smg-brisbane">', 1)[1].split("</tr>")[0]
        assert '<span class="muted"> / 35</span>' not in row
        assert '<span class="muted"> / 12</span>' in row
    for page in officer_pages:
        row = page.content.decode().split('<tr data-slug="smg-brisbane">', 1)[1].split("</tr>")[0]
        assert '<span class="muted"> / 23</span>' in row
