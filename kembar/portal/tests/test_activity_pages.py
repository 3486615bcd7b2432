"""A page per public activity, and the calendar of public activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kembar.accounts.models import Organisation, Role, User
from kembar.accounts.tests.factories import standard_organisations
from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.seeding import semarang_record_load
from kembar.portal.activities import parse_month
from kembar.programs.activities import ActivityData, ParticipantRow, activity_save
from kembar.programs.models import Activity, CountSource, ParticipantCount, Result
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
    semarang_kecamatan,
)

from .test_partnership_page import english, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> None:
    standard_organisations()
    semarang_record_load()


def reported(
    *, reference: str, slug: str, rows: list[tuple[str, int]], description: str = ""
) -> Activity:
    """An activity in Semarang Tengah with local participants by gender, saved by the service."""
    officer = User.objects.get_or_create(
        username="sari",
        defaults={
            "role": Role.COOPERATION_OFFICER,
            "organisation": Organisation.objects.get(slug="pemkot-semarang"),
        },
    )[0]
    tengah = Region.objects.get(kode=semarang_kecamatan().kode)  # type: ignore[attr-defined]
    activity, _changed = activity_save(
        actor=officer,
        data=ActivityData(
            reference=reference,
            partnership=Partnership.objects.get(slug=slug),
            kind="seminar",
            title_id="Seminar kota cerdas",
            title_en="Smart city seminar",
            description_id="Berbagi pengalaman kota cerdas.",
            description_en=description or "Sharing smart city experience.",
            agency=Organisation.objects.get(slug="disdik-semarang"),
            start_date=dt.date(2024, 2, 1),
            end_date=dt.date(2024, 2, 2),
            status="completed",
            sector=SectorFactory.create(),
            government_affair=GovernmentAffairFactory.create(),
            participants_local=sum(count for _gender, count in rows),
            place_region=tengah,
        ),
        participants=[
            ParticipantRow("local", "government", gender, "25-44", count, tengah)
            for gender, count in rows
        ],
    )
    return activity


def test_activity_page_shows_the_record_and_the_protected_reach(
    client: Client, record: None
) -> None:
    activity = reported(
        reference="SMG-BNE-1", slug="smg-brisbane", rows=[("female", 5), ("male", 2)]
    )
    Result.objects.create(activity=activity, level="output", title="Curriculum drafted")
    english(client)

    response = client.get("/activities/SMG-BNE-1/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="portal-title">Smart city seminar ' in html
    facts = html[html.index('id="activity-facts"') : html.index("</dl>")]
    assert (
        '<time datetime="2024-02-01">1 February 2024</time> – '
        '<time datetime="2024-02-02">2 February 2024</time>'
    ) in facts
    assert "<dd>Semarang Tengah</dd>" in facts
    assert '<a href="/partnerships/smg-brisbane/">Kota Semarang and Brisbane</a>' in facts
    assert "<dd>Dinas Pendidikan</dd>" in facts
    assert '<p id="activity-description">Sharing smart city experience.</p>' in html
    assert "<li>Curriculum drafted <span" in section(html, "results-heading")
    reach = section(html, "reach-heading")
    assert "7 people took part." in reach
    # The same protected tables as the public API: female 5 and male 2 are both hidden.
    api = client.get("/api/v1/activities/SMG-BNE-1/").json()["participant_summary"]
    assert response.context["page"].summary == api
    gender = reach[reach.index('data-table="gender"') :]
    gender = gender[: gender.index("</div>")]
    assert gender.count('<span class="muted">not shown</span>') == 2
    assert ": 2<" not in reach and ": 5<" not in reach


def test_a_total_of_fewer_than_five_is_not_shown(client: Client, record: None) -> None:
    reported(reference="SMG-NKG-1", slug="smg-nanjing", rows=[("female", 3)])
    english(client)

    response = client.get("/activities/SMG-NKG-1/")

    reach = section(response.content.decode(), "reach-heading")
    assert "Fewer than 5 people took part (not shown)." in reach
    assert "activity-reach-tables" not in reach
    assert ">3<" not in reach and " 3 " not in reach


def test_activity_page_in_indonesian(client: Client, record: None) -> None:
    reported(reference="SMG-BNE-1", slug="smg-brisbane", rows=[("female", 6)])

    html = client.get("/activities/SMG-BNE-1/").content.decode()

    assert '<html lang="id">' in html
    assert "Seminar kota cerdas" in html
    assert '<time datetime="2024-02-01">1 Februari 2024</time>' in html
    assert "Berbagi pengalaman kota cerdas." in html


@pytest.mark.parametrize("reference", ["SMG-INTERNAL-1", "SMG-ELSEWHERE-1", "NO-SUCH-1"])
def test_other_activities_are_not_found(client: Client, record: None, reference: str) -> None:
    ActivityFactory.create(
        reference="SMG-INTERNAL-1",
        partnership=PartnershipFactory.create(slug="smg-internal", is_public=False),
    )
    ActivityFactory.create(
        reference="SMG-ELSEWHERE-1",
        partnership=PartnershipFactory.create(
            slug="smg-elsewhere", local_region=RegionFactory.create(kode="33.71")
        ),
    )

    assert client.get(f"/activities/{reference}/").status_code == 404


def test_partnership_page_links_its_activities(client: Client, record: None) -> None:
    reported(reference="SMG-BNE-1", slug="smg-brisbane", rows=[("female", 6)])

    html = client.get("/partnerships/smg-brisbane/").content.decode()

    assert '<a href="/activities/SMG-BNE-1/">Seminar kota cerdas</a>' in section(
        html, "partnership-activities"
    )


# --- The calendar -------------------------------------------------------------------------------


def on(reference: str, start: dt.date, days: int = 0, slug: str = "smg-brisbane") -> Activity:
    return ActivityFactory.create(
        reference=reference,
        partnership=Partnership.objects.get(slug=slug),
        start_date=start,
        end_date=start + dt.timedelta(days=days),
    )


def references(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-reference="')[1:]]


def test_calendar_of_a_month_lists_what_runs_in_it(client: Client, record: None) -> None:
    on("SMG-A", dt.date(2024, 2, 27), days=5)  # runs into March
    on("SMG-B", dt.date(2024, 3, 10))
    on("SMG-C", dt.date(2024, 4, 1))
    on("SMG-D", dt.date(2024, 3, 1), slug="smg-nanjing")
    ActivityFactory.create(
        reference="SMG-INTERNAL",
        partnership=PartnershipFactory.create(slug="smg-internal", is_public=False),
        start_date=dt.date(2024, 3, 5),
        end_date=dt.date(2024, 3, 5),
    )
    english(client)

    response = client.get("/calendar/", {"month": "2024-03"})

    html = response.content.decode()
    assert "<h1>Activities in March 2024</h1>" in html
    assert references(html) == ["SMG-A", "SMG-D", "SMG-B"]
    assert '<a href="/activities/SMG-B/">' in html
    assert '<a href="?month=2024-02" rel="prev">Previous month</a>' in html
    assert '<a href="?month=2024-04" rel="next">Next month</a>' in html


def test_calendar_shows_upcoming_activities_soonest_first(client: Client, record: None) -> None:
    today = timezone.localdate()
    on("SMG-LATER", today + dt.timedelta(days=70))
    on("SMG-SOON", today + dt.timedelta(days=3))
    on("SMG-NOW", today - dt.timedelta(days=2), days=4)  # still running
    on("SMG-PAST", today - dt.timedelta(days=30))
    english(client)

    html = client.get("/calendar/").content.decode()

    assert "<h1>Upcoming activities</h1>" in html
    assert references(html) == ["SMG-NOW", "SMG-SOON", "SMG-LATER"]
    this_month = today.replace(day=1)
    assert f'<h2 id="month-{this_month:%Y-%m}">' in html  # a running one is under this month


def test_calendar_without_upcoming_points_to_the_latest_month(client: Client, record: None) -> None:
    on("SMG-OLD", dt.date(2023, 11, 5))
    english(client)

    for query in ({}, {"month": "not-a-month"}):
        html = client.get("/calendar/", query).content.decode()
        assert "No upcoming public activity is recorded yet." in html
        assert '<a href="?month=2023-11">See the most recent month with activities</a>' in html

    empty = client.get("/calendar/", {"month": "2023-10"}).content.decode()
    assert "No public activity is recorded in this month." in empty


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024-13", None),
        ("0001-01", None),
        ("2024-3-1", None),
        ("", None),
    ],
)
def test_parse_month(text: str, month: dt.date | None) -> None:
    assert parse_month(text) == month


@pytest.mark.django_db(transaction=True)
def test_the_new_public_pages_are_shared_from_the_public_cache() -> None:
    ActivityFactory.create(
        reference="SMG-BNE-1",
        partnership=PartnershipFactory.create(slug="smg-brisbane"),
        start_date=dt.date(2024, 3, 4),
        end_date=dt.date(2024, 3, 8),
    )
    client = Client()
    paths = ["/activities/SMG-BNE-1/", "/calendar/?month=2024-03", "/search/?q=guru"]

    first = [client.get(path) for path in paths]
    second = [client.get(path) for path in paths]

    assert [answer.status_code for answer in first] == [200, 200, 200]
    assert [answer.cookies for answer in first] == [{}, {}, {}]
    assert [answer["X-Cache"] for answer in second] == ["hit", "hit", "hit"]


def _register(activity: Activity, people: int) -> None:
    """``people`` young women of Semarang Tengah counted from registrations checked in."""
    ParticipantCount.objects.create(
        activity=activity,
        source=CountSource.REGISTRATIONS,
        side="local",
        group="students_youth",
        gender="female",
        age_band="15-24",
        home_region_id=semarang_kecamatan().kode,  # type: ignore[attr-defined]
        count=people,
    )
    Activity.objects.filter(pk=activity.pk).update(participants_registered=people)


def _source_table(html: str) -> str:
    table = html[html.index('data-table="source"') :]
    return table[: table.index("</div>")]


@pytest.mark.parametrize(
    ("registered", "total", "typed", "counted"),
    [
        (6, 13, "typed by officers: 7<", "counted from registrations checked in: 6<"),
        # 3 registered is hidden, and the typed 7 with it (the total would give it back).
        (
            3,
            10,
            'typed by officers: <span class="muted">not shown</span>',
            'counted from registrations checked in: <span class="muted">not shown</span>',
        ),
    ],
)
def test_the_activity_page_shows_both_sources_protected(
    client: Client, record: None, registered: int, total: int, typed: str, counted: str
) -> None:
    activity = reported(
        reference="SMG-BNE-1", slug="smg-brisbane", rows=[("female", 5), ("male", 2)]
    )
    _register(activity, registered)
    english(client)

    response = client.get("/activities/SMG-BNE-1/")

    reach = section(response.content.decode(), "reach-heading")
    assert f"{total} people took part." in reach
    source = _source_table(reach)
    assert typed in source and counted in source
    api = client.get("/api/v1/activities/SMG-BNE-1/").json()
    assert response.context["page"].summary == api["participant_summary"]
    assert api["participants_registered"] == (registered if registered >= 5 else None)


def test_the_source_table_is_left_out_without_registrations(client: Client, record: None) -> None:
    reported(reference="SMG-BNE-1", slug="smg-brisbane", rows=[("female", 5), ("male", 2)])
    english(client)

    html = client.get("/activities/SMG-BNE-1/").content.decode()

    assert 'data-table="source"' not in html
    assert 'data-table="side"' in html
