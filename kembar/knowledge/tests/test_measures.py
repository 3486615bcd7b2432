"""Learning measures on a hand-computed record: the figures, the dashboard, its CSV, the report
and the policies on the staff and public partnership pages.

The record (region 33.74, policy P1 public, everything else internal):

==== ========== ========== ============================== ===================================
act  ends       partner    reflection                     lessons (days from end to review)
==== ========== ========== ============================== ===================================
A1   2025-03-03 Brisbane   accepted → L1 (10), applied,   P1 adopted 2025-06-01 (Education)
                           policy adopted
A2   2025-05-01 Brisbane   submitted                      L2 (30), applied, dropped; L3 draft
A3   2025-06-10 Brisbane   none (due until 2025-07-10)
A4   2025-04-01 Kobe*      returned (missing)             P2 adopted 2025-04-15 (Trade)
A5   2024-11-01 Brisbane   none (missing)                 L4 (50); P3 2024-12-01, no partner
A6   2025-02-01 Brisbane   none (missing), demonstration
A7   2025-09-01 Brisbane   planned: never counted
==== ========== ========== ============================== ===================================

(*Kobe is not public.)  On 2025-06-30, 2025, all records: 5 completed, 3 lessons
(0.60 per activity), reflected 2 (40 %), due 1 (20 %), missing 2 (40 %), reviewed days
10 and 30: median 20.0, p90 10 + 0.9·20 = 28.0; applied 2 of 3 (66.7 %): 1 adopted, 1
dropped; policies 2 (Brisbane 1, Kobe 1; Education 1, Trade 1).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from kembar.common import public_cache
from kembar.knowledge.measures import learning_figures, learning_tables
from kembar.knowledge.models import InstrumentKind, Lesson, LessonStatus, Policy, Reflection
from kembar.knowledge.services import (
    followup_drop,
    lesson_apply,
    policy_adopt,
    policy_publish,
    reflection_review,
    reflection_submit,
)
from kembar.knowledge.tests.conftest import World
from kembar.knowledge.tests.test_views import signed_in
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)


def _reviewed_on(lesson: Lesson, day: dt.date) -> None:
    """Date the lesson's review (its history rows with the status reviewed) ``day``, 10:00 WIB."""
    moment = dt.datetime(day.year, day.month, day.day, 3, 0, tzinfo=dt.UTC)
    Lesson.history.filter(id=lesson.pk, status=LessonStatus.REVIEWED).update(history_date=moment)


def _lesson(world: World, activity: Activity, title: str, status: str) -> Lesson:
    return Lesson.objects.create(
        region_id="33.74",
        agency=world.orgs.dinas_pendidikan,
        title_id=title,
        what_happened_id="Catatan internal yang tidak boleh tampil publik.",
        sector=activity.sector,
        government_affair=activity.government_affair,
        partnership=activity.partnership,
        source_activity=activity,
        status=status,
    )


def _policy(world: World, **data: object) -> Policy:
    values: dict[str, object] = {
        "title_id": "Perwal Asesmen Portofolio",
        "title_en": "Portfolio assessment regulation",
        "description_id": "Catatan internal kebijakan",
        "instrument": InstrumentKind.PERWAL,
        "number": "Perwal No. 12 Tahun 2025",
        "adopted_on": dt.date(2025, 6, 1),
        "agency": world.orgs.dinas_pendidikan,
        "evidence_url": "https://jdih.semarangkota.go.id/perwal-12-2025",
        "partnership": world.partnership,
    }
    values.update(data)
    follow_up = values.pop("follow_up", None)
    return policy_adopt(
        actor=world.officer,
        region_id="33.74",
        data=values,
        follow_up=follow_up,  # type: ignore[arg-type]
        today=dt.date(2025, 12, 31),
    )


@pytest.fixture
def record(world: World) -> dict[str, object]:
    brisbane = world.partnership
    kobe = PartnershipFactory.create(
        slug="smg-kobe",
        partner_name="Kobe",
        partner_city=world.orgs.partner_city,
        partner_country=brisbane.partner_country,
        is_public=False,
    )
    trade = SectorFactory.create(code=7, name_id="Perdagangan", name_en="Trade")
    agency = world.orgs.dinas_pendidikan

    def activity(ref: str, end: dt.date, **extra: object) -> Activity:
        extra.setdefault("partnership", brisbane)
        return ActivityFactory.create(
            reference=ref,
            agency=agency,
            start_date=end - dt.timedelta(days=2),
            end_date=end,
            **extra,
        )

    a2 = activity("A2", dt.date(2025, 5, 1))
    activity("A3", dt.date(2025, 6, 10))
    a4 = activity("A4", dt.date(2025, 4, 1), partnership=kobe, sector=trade)
    a5 = activity("A5", dt.date(2024, 11, 1))
    activity("A6", dt.date(2025, 2, 1), is_demo=True)
    activity("A7", dt.date(2025, 9, 1), status="planned")

    follow_up = world.follow_up()  # A1: reflection accepted → L1, applied
    l1 = follow_up.lesson
    _reviewed_on(l1, dt.date(2025, 3, 13))
    reflection_submit(actor=world.agency_officer, activity=a2, learned="x", will_change="y")
    reflection_submit(actor=world.agency_officer, activity=a4, learned="x", will_change="y")
    reflection_review(
        actor=world.officer, reflection=Reflection.objects.get(activity=a4), accept=False, note="z"
    )
    l2 = _lesson(world, a2, "L2", LessonStatus.REVIEWED)
    _reviewed_on(l2, dt.date(2025, 5, 31))
    _lesson(world, a2, "L3", LessonStatus.DRAFT)
    l4 = _lesson(world, a5, "L4", LessonStatus.REVIEWED)
    _reviewed_on(l4, dt.date(2024, 12, 21))
    followup_drop(
        actor=world.officer, follow_up=lesson_apply(actor=world.officer, lesson=l2), reason="Mahal"
    )
    p1 = _policy(world, follow_up=follow_up)
    p2 = _policy(
        world,
        title_id="SOP Pasar Rahasia",
        title_en="Secret market SOP",
        number="SOP 3/2025",
        adopted_on=dt.date(2025, 4, 15),
        partnership=kobe,
        activities=[a4],
    )
    p3 = _policy(
        world,
        title_id="Program 2024",
        title_en="Programme 2024",
        adopted_on=dt.date(2024, 12, 1),
        partnership=None,
    )
    policy_publish(actor=world.officer, policy=p1, public=True)
    return {"p1": p1, "p2": p2, "p3": p3, "kobe": kobe}


def test_every_measure_of_2025_with_all_records(record: dict[str, object]) -> None:
    figures = learning_figures(region_id="33.74", year=2025, today=TODAY)
    m = figures.measures
    assert (m.completed, m.lessons, m.lessons_per_activity) == (5, 3, 0.6)
    assert (m.reflected, m.due, m.missing) == (2, 1, 2)
    assert (m.share(m.reflected), m.share(m.due), m.share(m.missing)) == (0.4, 0.2, 0.4)
    assert (m.reviewed, m.median_days, m.p90_days) == (2, 20.0, 28.0)
    assert (m.applied, m.adopted, m.open, m.dropped) == (2, 1, 0, 1)
    assert m.applied_share == 2 / 3
    assert m.policies == 2
    assert m.policies_by_partnership == (("Brisbane", 1), ("Kobe", 1))
    with translation.override("en"):
        figures = learning_figures(region_id="33.74", year=2025, today=TODAY)
    assert figures.measures.policies_by_sector == (("Education", 1), ("Trade", 1))
    assert figures.includes_demo is True
    assert figures.years == (2024, 2025)
    year_2024 = figures.by_year[2024]
    assert (year_2024.completed, year_2024.lessons, year_2024.missing) == (1, 1, 1)
    assert (year_2024.median_days, year_2024.policies, year_2024.policies_by_partnership) == (
        50.0,
        1,
        (("", 1),),
    )


def test_real_records_only_and_all_years(record: dict[str, object]) -> None:
    real = learning_figures(region_id="33.74", year=2025, today=TODAY, demo=False).measures
    assert (real.completed, real.lessons_per_activity, real.due, real.missing) == (4, 0.75, 1, 1)
    every = learning_figures(region_id="33.74", today=TODAY).measures
    assert (every.completed, every.lessons, every.reviewed, every.policies) == (6, 4, 3, 3)
    assert (every.median_days, every.p90_days) == (30.0, 46.0)


def test_tables_in_english(record: dict[str, object]) -> None:
    with translation.override("en"):
        tables = {
            t.key: t
            for t in learning_tables(learning_figures(region_id="33.74", year=2025, today=TODAY))
        }
    assert tables["summary"].rows == (
        ("Completed activities", 5),
        ("Lessons from them", 3),
        ("Lessons per completed activity", Decimal("0.60")),
        ("Completed activities with a reflection (%)", Decimal("40.0")),
        ("Reviewed lessons", 2),
        ("Median days from activity end to lesson review", Decimal("20.0")),
        ("90th percentile of days to lesson review", Decimal("28.0")),
        ("Lessons applied", 2),
        ("Lessons applied (%)", Decimal("66.7")),
        ("Policies adopted", 2),
    )
    assert tables["reflections"].rows[1] == (
        "reflection still due (within 30 days of the end)",
        1,
        Decimal("20.0"),
    )
    assert tables["outcomes"].rows == (
        ("policy adopted", 1),
        ("still being applied", 0),
        ("dropped", 1),
        ("Total", 2),
    )
    assert tables["years"].rows[0] == (
        "2024",
        1,
        1,
        Decimal("1.00"),
        Decimal("0.0"),
        Decimal("50.0"),
        0,
        1,
    )


def test_dashboard_and_csv(record: dict[str, object], world: World) -> None:
    client = signed_in(world.officer)
    page = client.get("/staff/knowledge/measures/", {"year": "2025"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="measures-summary"' in html and 'id="demo-notice"' in html
    assert "/staff/knowledge/measures/" in client.get("/staff/knowledge/").content.decode()
    csv = client.get(
        "/staff/knowledge/measures/", {"year": "2025", "download": "policies_partnership"}
    )
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kembar-learning-policies_partnership-2025.csv"' in csv["Content-Disposition"]
    assert csv.content.decode() == "Partnership,Policies\r\nBrisbane,1\r\nKobe,1\r\nTotal,2\r\n"
    years = client.get("/staff/knowledge/measures/", {"download": "years", "demo": "0"})
    assert years.content.decode().splitlines()[1:] == [
        "2024,1,1,1.00,0.0,50.0,0,1",
        "2025,4,3,0.75,50.0,20.0,2,2",
    ]
    assert client.get("/staff/knowledge/measures/", {"download": "nothing"}).status_code == 404


def test_dashboard_permission_and_empty_state(world: World) -> None:
    assert signed_in(world.partner).get("/staff/knowledge/measures/").status_code == 403
    Activity.objects.all().delete()
    page = signed_in(world.officer).get("/staff/knowledge/measures/")
    assert page.status_code == 200
    assert 'id="measures-empty"' in page.content.decode()


def test_staff_partnership_page_lists_every_policy(record: dict[str, object], world: World) -> None:
    html = signed_in(world.officer).get("/staff/partnerships/smg-kobe/").content.decode()
    p2 = record["p2"]
    assert f'href="/staff/knowledge/policies/{p2.pk}/"' in html  # type: ignore[attr-defined]
    assert "Secret market SOP" in html and "no (not reviewed yet)" in html
    html = signed_in(world.officer).get("/staff/partnerships/smg-brisbane/").content.decode()
    assert "Portfolio assessment regulation" in html and "yes, after review" in html
    assert (
        'id="partnership-policies"'
        not in signed_in(world.partner).get("/staff/partnerships/smg-brisbane/").content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_public_page_lists_only_the_public_policy(record: dict[str, object], world: World) -> None:
    client = Client()
    client.cookies["kembar_language"] = "en"
    html = client.get("/partnerships/smg-brisbane/").content.decode()
    assert "Portfolio assessment regulation" in html
    assert "Perwal No. 12 Tahun 2025" in html and "1 June 2025" in html
    for hidden in ("Programme 2024", "Catatan internal", "L2", "Secret market"):
        assert hidden not in html
    p1 = record["p1"]
    before = public_cache.generation()
    policy_publish(actor=world.officer, policy=p1, public=False)  # type: ignore[arg-type]
    assert public_cache.generation() != before
    assert (
        "Portfolio assessment regulation"
        not in client.get("/partnerships/smg-brisbane/").content.decode()
    )


def test_knowledge_saves_renew_the_public_cache() -> None:
    assert "knowledge" in public_cache.DATA_APPS
    assert public_cache._tracked(Policy) is True
    assert public_cache._tracked(Policy.history.model) is False


def test_council_report_has_the_learning_section(record: dict[str, object]) -> None:
    from kembar.geo.models import Region
    from kembar.reports.content import council_report

    with translation.override("en"):
        report = council_report(region=Region.objects.get(kode="33.74"), year=2025, language="en")
    section = next(s for s in report.sections if s.key == "learning")
    assert section.title == "Learning"
    tables = {t.key: t for t in section.tables}
    assert tables["learning_summary"].rows[:4] == (
        ("Completed activities", 3),
        ("Lessons from them", 3),
        ("Lessons per completed activity", Decimal("1.00")),
        ("Completed activities with a reflection (%)", Decimal("66.7")),
    )
    assert tables["learning_reflections"].rows[2][1:] == (1, Decimal("33.3"))
    assert tables["learning_policies_partnership"].rows == (("Brisbane", 1), ("Total", 1))
    assert tables["learning_policies_sector"].rows == (("Education", 1), ("Total", 1))
