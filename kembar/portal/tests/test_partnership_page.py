"""A page per public partnership, and the public menu on every public page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from kembar.accounts.models import Organisation, Role, User
from kembar.accounts.tests.factories import standard_organisations
from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.models import Indicator, IndicatorPeriod, Result
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
    StandardIndicatorFactory,
    semarang_kecamatan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> None:
    semarang_record_load()


def english(client: Client) -> None:
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_brisbane_page_tells_its_story_from_the_record(client: Client, record: None) -> None:
    english(client)

    response = client.get("/partnerships/smg-brisbane/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Kota Semarang and Brisbane</h1>" in html
    facts = section(html, "partnership-facts").split("</dl>")[0]
    assert "<dd>Brisbane, Queensland</dd>" in facts
    assert "<dd>AU</dd>" in facts  # the test geography names countries by their code
    assert '<span class="status status--active" id="partnership-stage">Active</span>' in facts
    history = section(html, "partnership-history")
    assert (
        '<time datetime="2005-01-01">2005</time> <strong>agreement lapsed</strong>: '
        "MoU expired without renewal"
    ) in history
    assert "(source: journals.usm.ac.id article 1595)" in history
    agreements = section(html, "partnership-agreements")
    assert "<td>11 January 1993</td>" in agreements
    assert "<td>2005</td>" in agreements


def test_nanjing_agreement_says_its_end_is_not_in_the_sources(client: Client, record: None) -> None:
    english(client)

    agreements = section(
        client.get("/partnerships/smg-nanjing/").content.decode(), "partnership-agreements"
    )

    assert "<td>24 October 2018</td>" in agreements
    assert "<td>not stated in the sources</td>" in agreements


def test_activities_results_and_reach_without_personal_numbers(
    client: Client, record: None
) -> None:
    nanjing = Partnership.objects.get(slug="smg-nanjing")
    visit = ActivityFactory.create(
        partnership=nanjing,
        reference="SMG-NKG-2025-01",
        kind="exchange_inbound",
        title_id="Kunjungan delegasi Nanjing",
        title_en="Nanjing delegation visit",
        start_date=dt.date(2025, 5, 15),
        end_date=dt.date(2025, 5, 17),
        participants_local=3,
    )
    ActivityFactory.create(
        partnership=nanjing,
        reference="DEMO-NKG-1",
        is_demo=True,
        start_date=dt.date(2024, 2, 1),
        end_date=dt.date(2024, 2, 1),
    )
    exchanged = Indicator.objects.create(
        result=Result.objects.create(activity=visit, level="output", title="Students exchanged"),
        standard=StandardIndicatorFactory.create(),
        title="Students exchanged",
        unit="people",
    )
    IndicatorPeriod.objects.create(
        indicator=exchanged,
        period_start=dt.date(2025, 5, 15),
        period_end=dt.date(2025, 5, 17),
        actual=Decimal(3),
    )
    policies = Indicator.objects.create(
        result=Result.objects.create(activity=visit, level="impact", title="Green city policy"),
        standard=StandardIndicatorFactory.create(
            code="policies_adopted",
            level="impact",
            name_id="Kebijakan yang diadopsi dari kota mitra",
            name_en="Policies adopted from the partner",
            unit_id="kebijakan",
            unit_en="policies",
        ),
        title="Policies adopted",
        unit="policies",
    )
    IndicatorPeriod.objects.create(
        indicator=policies,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        actual=Decimal(2),
    )
    english(client)

    html = client.get("/partnerships/smg-nanjing/").content.decode()

    activities = section(html, "partnership-activities")
    assert '<tr data-reference="SMG-NKG-2025-01">' in activities
    assert "Nanjing delegation visit" in activities
    assert "15 May 2025</time> – <time" in activities
    assert "<td>exchange visit (inbound)</td>" in activities
    assert "<td>Education</td>" in activities
    assert 'class="pill pill--demo"' in activities  # the demonstration record is labelled
    results = section(html, "partnership-indicators")
    assert "Students exchanged: fewer than 5 (not shown)" in results
    assert "Policies adopted from the partner: 2 policies" in results
    assert "Green city policy" in results
    reach = section(html, "partnership-reach")
    assert "1 activity is recorded. 1 demonstration record is not counted here." in reach
    assert 'href="/insights/reach/?partnership=smg-nanjing"' in reach
    # Three local participants: no such number anywhere on the public page.
    assert ">3<" not in html and " 3 " not in html


def test_partnership_page_in_indonesian(client: Client, record: None) -> None:
    html = client.get("/partnerships/smg-brisbane/").content.decode()

    assert '<html lang="id">' in html
    assert "Pelaksanaan" in section(html, "partnership-facts")
    history = section(html, "partnership-history")
    assert "MoU berakhir tanpa diperpanjang" in history
    assert "11 Januari 1993" in section(html, "partnership-agreements")


@pytest.mark.parametrize("slug", ["smg-internal", "smg-elsewhere", "no-such-partnership"])
def test_other_partnerships_are_not_found(client: Client, record: None, slug: str) -> None:
    PartnershipFactory.create(slug="smg-internal", is_public=False)
    PartnershipFactory.create(
        slug="smg-elsewhere", local_region=RegionFactory.create(kode="33.71"), is_public=True
    )

    response = client.get(f"/partnerships/{slug}/")

    assert response.status_code == 404


def test_partnership_list_links_each_public_partnership(client: Client, record: None) -> None:
    PartnershipFactory.create(slug="smg-internal", partner_name="Internal", is_public=False)

    response = client.get("/partnerships/")

    assert response.status_code == 200
    slugs = [item.partnership.slug for item in response.context["page"].partnerships]
    assert slugs == [
        "smg-beihai",
        "smg-brisbane",
        "smg-fuzhou",
        "smg-jiaxing",
        "smg-junggu-ulsan",
        "smg-nanjing",
        "smg-sofia-iurc",
        "smg-split",
    ]
    html = response.content.decode()
    for slug in slugs:
        assert f'href="/partnerships/{slug}/"' in html
    assert "/partnerships/smg-internal/" not in html


PUBLIC_LINKS = [
    "/",
    "/partnerships/",
    "/calendar/",
    "/search/",
    "/insights/reach/",
    "/insights/economy/",
    "/insights/network/",
    "/api/docs/",
]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "/"),
        ("/partnerships/", "/partnerships/"),
        ("/partnerships/smg-brisbane/", "/partnerships/"),
        ("/calendar/", "/calendar/"),
        ("/search/?q=kota", "/search/"),
        ("/insights/reach/", "/insights/reach/"),
    ],
)
def test_every_public_page_has_the_menu(
    client: Client, record: None, path: str, current: str
) -> None:
    html = client.get(path).content.decode()

    start = html.index('<nav class="public-nav"')
    menu = html[start : html.index("</nav>", start)]
    for link in PUBLIC_LINKS:
        assert f'href="{link}"' in menu
    assert menu.count('aria-current="page"') == 1
    assert f'href="{current}" aria-current="page"' in menu
    assert 'href="/accounts/login/"' in html
    assert 'action="/i18n/setlang/"' in html


def reported(
    partnership: Partnership, *, reference: str, people: int, is_demo: bool = False
) -> None:
    """An activity of ``people`` local participants, saved by the service (keeps the summary)."""
    officer = User.objects.get_or_create(
        username="sari",
        defaults={
            "role": Role.COOPERATION_OFFICER,
            "organisation": Organisation.objects.get(slug="pemkot-semarang"),
        },
    )[0]
    tengah = Region.objects.get(kode=semarang_kecamatan().kode)  # type: ignore[attr-defined]
    activity_save(
        actor=officer,
        data=ActivityData(
            reference=reference,
            partnership=partnership,
            kind="seminar",
            title_id="Seminar kota cerdas",
            agency=Organisation.objects.get(slug="disdik-semarang"),
            start_date=dt.date(2024, 2, 1),
            end_date=dt.date(2024, 2, 1),
            status="completed",
            sector=SectorFactory.create(),
            government_affair=GovernmentAffairFactory.create(),
            participants_local=people,
        ),
        participants=[ParticipantRow("local", "government", "female", "25-44", people, tengah)],
        is_demo=is_demo,
    )


def test_who_it_reached_is_the_protected_public_total(client: Client) -> None:
    standard_organisations()
    semarang_record_load()
    reported(Partnership.objects.get(slug="smg-brisbane"), reference="SMG-BNE-1", people=12)
    reported(
        Partnership.objects.get(slug="smg-brisbane"),
        reference="DEMO-BNE-1",
        people=40,
        is_demo=True,
    )
    reported(Partnership.objects.get(slug="smg-nanjing"), reference="SMG-NKG-1", people=3)
    english(client)

    brisbane = section(
        client.get("/partnerships/smg-brisbane/").content.decode(), "partnership-reach"
    )
    nanjing = section(
        client.get("/partnerships/smg-nanjing/").content.decode(), "partnership-reach"
    )
    split = section(client.get("/partnerships/smg-split/").content.decode(), "partnership-reach")

    assert "12 local people took part." in brisbane  # the demonstration's 40 are not counted
    assert "Fewer than 5 local people took part (not shown)." in nanjing
    assert ">3<" not in nanjing and " 3 " not in nanjing
    assert "took part" not in split
