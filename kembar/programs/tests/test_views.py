"""The activity pages: who sees what, and every form through the real views.

The client speaks English (the language cookie) so that messages are
asserted exactly; one test checks that Indonesian stays the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    IndicatorPeriod,
    ParticipantCount,
    TripReport,
)
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class People:
    orgs: StandardOrganisations
    officer: User
    agency_officer: User
    other_agency_officer: User
    council: User
    partner: User
    partnership: Partnership
    activity: Activity


@pytest.fixture
def people() -> People:
    orgs = standard_organisations()
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    RegionFactory.create(kode="33.74.02", name="Semarang Utara")
    tourism = OrganisationFactory.create(
        slug="disbudpar-semarang",
        name="Dinas Kebudayaan dan Pariwisata",
        kind=OrganisationKind.AGENCY,
        parent=orgs.semarang,
    )
    partnership = PartnershipFactory.create(
        slug="smg-brisbane", partner_city=orgs.partner_city, partner_name="Brisbane"
    )
    activity = ActivityFactory.create(
        reference="SMG-BNE-2024-01",
        partnership=partnership,
        agency=orgs.dinas_pendidikan,
        title_id="Pelatihan guru",
        title_en="Teacher training",
    )
    return People(
        orgs=orgs,
        officer=UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang),
        agency_officer=UserFactory.create(
            role=Role.AGENCY_OFFICER, organisation=orgs.dinas_pendidikan
        ),
        other_agency_officer=UserFactory.create(role=Role.AGENCY_OFFICER, organisation=tourism),
        council=UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=orgs.dprd_semarang),
        partner=UserFactory.create(
            role=Role.PARTNER_COUNTERPART, organisation=orgs.partner_government
        ),
        partnership=partnership,
        activity=activity,
    )


def english(client: Client, user: User) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def activity_form(**overrides: Any) -> dict[str, Any]:
    SectorFactory.create()
    GovernmentAffairFactory.create()
    form = {
        "partnership_slug": "smg-brisbane",
        "reference": "SMG-BNE-2025-01",
        "kind": "seminar",
        "title_id": "Seminar banjir",
        "title_en": "Flood seminar",
        "agency": "disdik-semarang",
        "start_date": "2025-02-10",
        "end_date": "2025-02-10",
        "status": "planned",
        "place_region": "33.74.01",
        "sector": "16",
        "government_affair": "1.01",
        "participants_local": "0",
        "participants_partner": "0",
    }
    form.update(overrides)
    return form


def test_anonymous_goes_to_login(client: Client, people: People) -> None:
    response = client.get("/staff/activities/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_list_filters_and_search(client: Client, people: People) -> None:
    ActivityFactory.create(
        reference="SMG-BNE-2019-01",
        partnership=people.partnership,
        kind="festival",
        start_date=dt.date(2019, 8, 1),
        end_date=dt.date(2019, 8, 3),
        title_id="Festival budaya",
    )
    english(client, people.officer)

    def references(**query: str) -> list[str]:
        response = client.get("/staff/activities/", query)
        assert response.status_code == 200
        return [activity.reference for activity in response.context["page"].object_list]

    assert references() == ["SMG-BNE-2024-01", "SMG-BNE-2019-01"]
    assert references(kind="festival") == ["SMG-BNE-2019-01"]
    assert references(year="2024") == ["SMG-BNE-2024-01"]
    assert references(q="budaya") == ["SMG-BNE-2019-01"]
    assert references(sort="start") == ["SMG-BNE-2019-01", "SMG-BNE-2024-01"]
    assert references(year="not a year") == ["SMG-BNE-2024-01", "SMG-BNE-2019-01"]
    response = client.get("/staff/activities/", {"kind": "expo"})
    assert "No activity matches these filters." in response.content.decode()


def test_htmx_gets_only_the_results(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.get("/staff/activities/", HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "staff/activities/_results.html"


def test_demo_records_are_labelled(client: Client, people: People) -> None:
    Activity.objects.filter(pk=people.activity.pk).update(is_demo=True)
    english(client, people.officer)
    assert 'class="pill pill--demo"' in client.get("/staff/activities/").content.decode()
    detail = client.get("/staff/activities/SMG-BNE-2024-01/").content.decode()
    assert 'class="pill pill--demo"' in detail


def test_partner_sees_their_activity_and_another_region_does_not(
    client: Client, people: People
) -> None:
    english(client, people.partner)
    assert client.get("/staff/activities/SMG-BNE-2024-01/").status_code == 200
    assert client.get("/staff/activities/SMG-BNE-2024-01/edit/").status_code == 403
    magelang = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=people.orgs.magelang)
    Partnership.objects.filter(pk=people.partnership.pk).update(is_public=False)
    other = Client()
    english(other, magelang)
    assert other.get("/staff/activities/SMG-BNE-2024-01/").status_code == 404


def test_create_through_the_form(client: Client, people: People) -> None:
    english(client, people.agency_officer)
    chooser = client.get("/staff/activities/new/")
    assert [p.slug for p in chooser.context["partnerships"]] == ["smg-brisbane"]
    response = client.post("/staff/activities/new/?partnership=smg-brisbane", activity_form())
    assert response.status_code == 302
    assert response["Location"] == "/staff/activities/SMG-BNE-2025-01/"
    activity = Activity.objects.get(reference="SMG-BNE-2025-01")
    assert (activity.agency.slug, activity.place_region_id, activity.created_by) == (
        "disdik-semarang",
        "33.74.01",
        people.agency_officer,
    )


def test_create_refuses_bad_input_and_keeps_it(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/new/",
        activity_form(end_date="2025-02-01", status="cancelled"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["end_date"] == ["The end date is before the start date."]
    assert form.errors["cancellation_reason"] == ["Say why the activity was cancelled."]
    assert form["title_id"].value() == "Seminar banjir"
    assert not Activity.objects.filter(reference="SMG-BNE-2025-01").exists()


def test_agency_officer_cannot_pick_another_agency(client: Client, people: People) -> None:
    english(client, people.agency_officer)
    response = client.post("/staff/activities/new/", activity_form(agency="disbudpar-semarang"))
    assert response.status_code == 400
    assert "agency" in response.context["form"].errors
    assert not Activity.objects.filter(reference="SMG-BNE-2025-01").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 200),
        ("agency_officer", 200),
        ("other_agency_officer", 403),
        ("council", 403),
        ("partner", 403),
    ],
)
def test_who_may_edit(client: Client, people: People, who: str, status: int) -> None:
    english(client, getattr(people, who))
    assert client.get("/staff/activities/SMG-BNE-2024-01/edit/").status_code == status
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/participants/",
        {
            "participants_local": "1",
            "participants_partner": "0",
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-side": "local",
            "rows-0-group": "community",
            "rows-0-gender": "female",
            "rows-0-age_band": "15-24",
            "rows-0-home_region": "33.74.02",
            "rows-0-count": "1",
        },
    )
    assert response.status_code == (302 if status == 200 else 403)
    expected = 1 if status == 200 else 0
    assert ParticipantCount.objects.count() == expected


def test_participants_that_do_not_add_up_are_refused(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/participants/",
        {
            "participants_local": "10",
            "participants_partner": "0",
            "rows-TOTAL_FORMS": "2",
            "rows-INITIAL_FORMS": "0",
            "rows-0-side": "local",
            "rows-0-group": "government",
            "rows-0-gender": "male",
            "rows-0-age_band": "25-44",
            "rows-0-home_region": "33.74.01",
            "rows-0-count": "7",
            "rows-1-side": "local",
            "rows-1-group": "government",
            "rows-1-gender": "female",
            "rows-1-age_band": "25-44",
            "rows-1-home_region": "",
            "rows-1-count": "-2",
        },
    )
    assert response.status_code == 400
    assert response.context["formset"].errors[1] == {
        "count": ["Ensure this value is greater than or equal to 0."]
    }
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/participants/",
        {
            "participants_local": "10",
            "participants_partner": "0",
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-side": "local",
            "rows-0-group": "government",
            "rows-0-gender": "male",
            "rows-0-age_band": "25-44",
            "rows-0-home_region": "33.74.01",
            "rows-0-count": "7",
        },
    )
    assert response.status_code == 400
    assert response.context["totals"].non_field_errors() == [
        "The breakdown adds up to 7 local and 0 partner participants, but the totals say "
        "10 and 0. Correct the rows or the totals, or use the breakdown's totals."
    ]
    assert b'name="use_breakdown"' in response.content
    assert ParticipantCount.objects.count() == 0


def test_money_page_saves_budget_and_contributions(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/money/",
        {
            "budget-TOTAL_FORMS": "1",
            "budget-INITIAL_FORMS": "0",
            "budget-0-source": "partner",
            "budget-0-kind": "spending",
            "budget-0-amount": "1000",
            "budget-0-currency": "aud",
            "budget-0-rate_to_idr": "10500",
            "contributions-TOTAL_FORMS": "1",
            "contributions-INITIAL_FORMS": "0",
            "contributions-0-side": "partner",
            "contributions-0-form": "expertise",
            "contributions-0-description": "Two trainers",
            "contributions-0-currency": "IDR",
            "contributions-0-rate_to_idr": "1",
        },
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert (line.currency, str(line.amount_idr)) == ("AUD", "10500000.00")
    assert Contribution.objects.get().description == "Two trainers"


def test_result_and_trip_report(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/results/",
        {
            "level": "output",
            "result_title": "Teachers trained",
            "indicator_title": "Teachers trained",
            "unit": "people",
            "higher_is_better": "on",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "target": "25",
            "actual": "30",
        },
    )
    assert response.status_code == 302
    assert IndicatorPeriod.objects.get().actual == 30

    Activity.objects.filter(pk=people.activity.pk).update(kind="exchange_outbound")
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/trip-report/",
        {
            "purpose": "Study visit",
            "outputs": "Draft curriculum",
            "days": "5",
            "cost_idr": "85000000",
            "travellers-TOTAL_FORMS": "1",
            "travellers-INITIAL_FORMS": "0",
            "travellers-0-role": "Head of division",
            "travellers-0-organisation": "Dinas Pendidikan",
            "travellers-0-count": "2",
        },
    )
    assert response.status_code == 302
    assert TripReport.objects.get().days == 5

    english(client, people.council)
    detail = client.get("/staff/activities/SMG-BNE-2024-01/").content.decode()
    assert "Draft curriculum" in detail
    english(client, people.partner)
    assert (
        "Draft curriculum" not in client.get("/staff/activities/SMG-BNE-2024-01/").content.decode()
    )


def test_delete_needs_the_reference_typed(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post("/staff/activities/SMG-BNE-2024-01/delete/", {"confirm": "yes"})
    assert response.status_code == 200
    assert Activity.objects.filter(reference="SMG-BNE-2024-01").exists()
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/delete/", {"confirm": "SMG-BNE-2024-01"}
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(reference="SMG-BNE-2024-01").exists()


def test_indonesian_is_the_default(client: Client, people: People) -> None:
    client.force_login(people.officer)
    content = client.get("/staff/activities/").content.decode()
    assert "Kegiatan" in content


def test_the_new_activity_form_never_changes_an_existing_one(
    client: Client, people: People
) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/new/", activity_form(reference="SMG-BNE-2024-01", title_id="Menimpa")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reference"] == [
        "Another activity already has this reference."
    ]
    people.activity.refresh_from_db()
    assert people.activity.title_id == "Pelatihan guru"


def test_a_refused_result_shows_the_whole_page_again(client: Client, people: People) -> None:
    english(client, people.officer)
    response = client.post(
        "/staff/activities/SMG-BNE-2024-01/results/",
        {
            "level": "output",
            "result_title": "Teachers trained",
            "indicator_title": "Teachers trained",
            "unit": "people",
            "period_start": "2024-12-31",
            "period_end": "2024-01-01",
            "target": "25",
        },
    )
    assert response.status_code == 400
    assert response.context["result_form"].errors["period_end"] == [
        "The period ends before it starts."
    ]
    # The rest of the page is there as on a normal visit, forms included.
    assert response.context["effect_form"] is not None
    assert response.context["needs_trip_report"] is False
    assert 'id="economic-effects"' in response.content.decode()
    assert IndicatorPeriod.objects.count() == 0
