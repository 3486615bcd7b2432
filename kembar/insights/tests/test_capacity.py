"""Carrying capacity from the database, through the API, the staff page and the activity form.

The record, worked out by hand (Kota Semarang, 2026): the cooperation office
(Bagian Kerja Sama) can give 10 staff-days a month, Dinas Pendidikan 12; APBD
ceiling 1 000 000 000; 1 delegation and 2 events a month.

- SMG-1, a training by Disdik (office 2, agency 8 staff-days, 40 M default
  cost), planned, 30 January–2 February: half in each month;
- SMG-2, an expo by the office itself (5 + 10 staff-days, an event), ongoing,
  same dates, with its own budget: 100 M APBD and 50 M from the partner;
- a cancelled seminar and a demonstration training in January: not counted.

Office: (2 + 5 + 10) / 2 = 8.5 staff-days in January and February, 85 %
(ok); Disdik 4 of 12, 33.3 %; APBD 40 M + 100 M = 140 M of 1 000 M, 14 %;
partner 50 M, no ceiling; events 0.5 of 2 a month, 25 %.  Brisbane's
activities take 2 + 8 + 5 + 10 = 25 staff-days of 12 × 22 = 264: 9.5 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.accounts.tests.factories import (
    OrganisationFactory,
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.geo.tests.factories import RegionFactory
from kembar.insights.capacity import (
    activity_capacity_check,
    capacity_figures,
    capacity_scenario,
    partnership_loads,
)
from kembar.insights.models import ActivityKindEffort, BudgetCeiling, CapacityPlan, StaffCapacity
from kembar.partnerships.models import Partnership
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import Activity, BudgetLine
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/insights/capacity/"
PAGE = "/staff/insights/capacity/"
EFFORT = {
    "training": (2, 8, 40_000_000, "none"),
    "expo": (5, 10, 250_000_000, "event"),
    "seminar": (2, 4, 25_000_000, "event"),
}


class Record:
    def __init__(self) -> None:
        self.orgs: StandardOrganisations = standard_organisations()
        self.office: Organisation = OrganisationFactory.create(
            slug="bagian-kerja-sama-semarang",
            name="Bagian Kerja Sama",
            kind=OrganisationKind.AGENCY,
            parent=self.orgs.semarang,
        )
        for kind, (office, agency, cost, hosting) in EFFORT.items():
            ActivityKindEffort.objects.update_or_create(
                kind=kind,
                defaults={
                    "office_days": office,
                    "agency_days": agency,
                    "cost_idr": cost,
                    "hosting": hosting,
                },
            )
        self.partnership: Partnership = PartnershipFactory.create(
            slug="smg-brisbane", partner_name="Brisbane", partner_city=self.orgs.partner_city
        )
        span = {"start_date": dt.date(2026, 1, 30), "end_date": dt.date(2026, 2, 2)}
        self.training = ActivityFactory.create(
            reference="SMG-1",
            partnership=self.partnership,
            agency=self.orgs.dinas_pendidikan,
            kind="training",
            status="planned",
            **span,
        )
        expo = ActivityFactory.create(
            reference="SMG-2",
            partnership=self.partnership,
            agency=self.office,
            kind="expo",
            status="ongoing",
            **span,
        )
        for source, amount in (("apbd", 100_000_000), ("partner", 50_000_000)):
            BudgetLine.objects.create(
                activity=expo, source=source, kind="budget", amount=amount, amount_idr=amount
            )
        BudgetLine.objects.create(
            activity=expo, source="apbd", kind="spending", amount=999, amount_idr=999
        )
        january = {"start_date": dt.date(2026, 1, 5), "end_date": dt.date(2026, 1, 5)}
        ActivityFactory.create(
            reference="SMG-X",
            partnership=self.partnership,
            kind="seminar",
            status="cancelled",
            cancellation_reason="Banjir",
            **january,
        )
        demo = ActivityFactory.create(reference="SMG-D", partnership=self.partnership, **january)
        Activity.objects.filter(pk=demo.pk).update(is_demo=True, status="planned")

    def plan(self) -> CapacityPlan:
        plan = CapacityPlan.objects.create(
            region_id="33.74",
            year=2026,
            cooperation_office=self.office,
            delegations_per_month=1,
            events_per_month=2,
        )
        StaffCapacity.objects.create(plan=plan, organisation=self.office, staff_days_per_month=10)
        StaffCapacity.objects.create(
            plan=plan, organisation=self.orgs.dinas_pendidikan, staff_days_per_month=12
        )
        BudgetCeiling.objects.create(plan=plan, source="apbd", amount_idr=1_000_000_000)
        return plan

    def user(self, role: str, organisation: Organisation | None = None) -> User:
        return UserFactory.create(role=role, organisation=organisation or self.orgs.semarang)


@pytest.fixture
def record() -> Record:
    return Record()


def _months(values: dict[int, tuple[float, float | None, str | None]]) -> list[dict[str, Any]]:
    default = (0.0, 0.0, "ok")
    return [
        dict(zip(("staff_days", "load", "level"), values.get(month, default), strict=True))
        | {"month": f"2026-{month:02d}"}
        for month in range(1, 13)
    ]


def _hosting(month: int) -> dict[str, Any]:
    events, load = (0.5, 25.0) if month in (1, 2) else (0.0, 0.0)
    return {
        "month": f"2026-{month:02d}",
        "delegations": 0.0,
        "delegations_capacity": 1.0,
        "events": events,
        "events_capacity": 2.0,
        "load": load,
        "level": "ok",
    }


EXPECTED = {
    "region": "33.74",
    "year": 2026,
    "thresholds": {"warn": 85, "over": 100},
    "organisations": [
        {
            "slug": "bagian-kerja-sama-semarang",
            "name": "Bagian Kerja Sama",
            "is_cooperation_office": True,
            "staff_days_per_month": 10.0,
            "months": _months({1: (8.5, 85.0, "ok"), 2: (8.5, 85.0, "ok")}),
        },
        {
            "slug": "disdik-semarang",
            "name": "Dinas Pendidikan",
            "is_cooperation_office": False,
            "staff_days_per_month": 12.0,
            "months": _months({1: (4.0, 33.3, "ok"), 2: (4.0, 33.3, "ok")}),
        },
    ],
    "budget": [
        {
            "source": "apbd",
            "ceiling_idr": "1000000000.00",
            "planned_idr": "140000000.00",
            "load": 14.0,
            "level": "ok",
        },
        {
            "source": "partner",
            "ceiling_idr": None,
            "planned_idr": "50000000.00",
            "load": None,
            "level": None,
        },
    ],
    "hosting": [_hosting(month) for month in range(1, 13)],
    "partnerships": [{"slug": "smg-brisbane", "name": "Brisbane", "staff_days": 25.0, "load": 9.5}],
}


# --- From the database ----------------------------------------------------------------------


def test_figures_of_the_worked_record(record: Record) -> None:
    record.plan()
    assert capacity_figures("33.74", 2026) == EXPECTED


def test_without_a_plan_every_load_is_none(record: Record) -> None:
    figures = capacity_figures("33.74", 2026)
    assert [row["slug"] for row in figures["organisations"]] == [
        "bagian-kerja-sama-semarang",
        "disdik-semarang",
    ]
    # Without a plan no office is named: the office-days of Disdik's training go nowhere.
    assert figures["organisations"][1]["months"][0] == {
        "month": "2026-01",
        "staff_days": 4.0,
        "load": None,
        "level": None,
    }
    assert figures["partnerships"] == [
        {"slug": "smg-brisbane", "name": "Brisbane", "staff_days": 25.0, "load": None}
    ]
    assert partnership_loads("33.74", 2026) == {record.partnership.pk: None}


def test_partnership_loads(record: Record) -> None:
    record.plan()
    other = PartnershipFactory.create(slug="smg-other", partner_name="Other")
    assert partnership_loads("33.74", 2026) == {record.partnership.pk: 9.5, other.pk: 0.0}
    assert partnership_loads("33.74", 2025) == {record.partnership.pk: None, other.pk: None}


def test_scenario_largest_portfolio(record: Record) -> None:
    """Six trainings a year by Disdik: office 1 staff-day a month, Disdik 4, 240 M APBD.

    January: office (10 − 8.5) / 1 → 1; Disdik (12 − 4) / 4 = 2; APBD
    (1 000 − 140) / 240 → 3.  At most 1 more; 1 partnership now, 2 in all.
    """
    record.plan()
    result = capacity_scenario("33.74", 2026, {"training": 6}, record.orgs.dinas_pendidikan)
    assert result is not None
    assert (result["max_new"], result["binding"]) == (1, ("staff", record.office.pk))
    assert (result["current_partnerships"], result["portfolio"]) == (1, 2)
    office = result["resources"][0]
    assert (office["name"], office["now"].load, office["projected"].load) == (
        "Bagian Kerja Sama",
        85.0,
        95.0,
    )
    assert result["level"] == "warn"
    assert capacity_scenario("33.74", 2025, {"training": 6}, None) is None


def test_activity_check_counts_a_saved_activity_once(record: Record) -> None:
    record.plan()
    check = activity_capacity_check(record.training)
    assert check is not None
    assert check.counted is True
    assert [month.month for month in check.months] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert [(m.office.load, m.agency.load) for m in check.months if m.office and m.agency] == [
        (85.0, 33.333333),
        (85.0, 33.333333),
    ]
    assert check.level == "ok"
    new = Activity(
        partnership=record.partnership,
        kind="seminar",
        agency=record.orgs.dinas_pendidikan,
        start_date=dt.date(2026, 1, 31),
        end_date=dt.date(2026, 1, 31),
        status="planned",
    )
    check = activity_capacity_check(new)
    assert check is not None
    assert check.counted is False
    month = check.months[0]
    assert month.office is not None
    assert (month.office.load, month.office.level, month.hosting.load) == (105.0, "over", 75.0)
    assert check.level == "over"
    new.start_date = new.end_date = dt.date(2025, 6, 1)
    assert activity_capacity_check(new) is None


# --- API ------------------------------------------------------------------------------------


def test_api_for_a_cooperation_officer(record: Record) -> None:
    record.plan()
    client = Client()
    client.force_login(record.user(Role.COOPERATION_OFFICER))
    response = client.get(API, {"region": "33.74", "year": "2026"})
    assert response.status_code == 200
    assert response.json() == EXPECTED


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 403), ("agency", 403), ("magelang", 403), ("leadership", 200), ("admin", 200)],
)
def test_api_permissions(record: Record, who: str, status: int) -> None:
    record.plan()
    client = Client()
    users = {
        "agency": lambda: record.user(Role.AGENCY_OFFICER, record.orgs.dinas_pendidikan),
        "magelang": lambda: record.user(Role.COOPERATION_OFFICER, record.orgs.magelang),
        "leadership": lambda: record.user(Role.LEADERSHIP),
        "admin": lambda: record.user(Role.ADMINISTRATOR),
    }
    if who in users:
        client.force_login(users[who]())
    response = client.get(API, {"region": "33.74", "year": "2026"})
    assert response.status_code == status
    if status == 403:
        assert "organisations" not in response.json()
    assert CapacityPlan.objects.count() == 1


def test_api_refuses_unknown_region_and_bad_year(record: Record) -> None:
    client = Client()
    client.force_login(record.user(Role.COOPERATION_OFFICER))
    with translation.override("en"):
        response = client.get(API, {"region": "99.99"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == {"region": ["No region has this code."]}
    assert client.get(API, {"region": "33.74", "year": "1999"}).status_code == 400
    assert client.get(API, {"region": "33.74", "yaer": "2026"}).status_code == 400


# --- Staff page -----------------------------------------------------------------------------


def _english(client: Client, user: User) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_page_for_an_officer_with_the_scenario(record: Record) -> None:
    record.plan()
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    response = client.get(PAGE, {"year": "2026", "n_training": "6", "agency": "disdik-semarang"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="capacity-staff"' in html
    assert (
        "The city can add at most 1 such partnership (binding: staff-days of Bagian Kerja Sama)"
        in html
    )
    assert "the largest portfolio it can sustain is 2." in html
    assert response.context["scenario"]["max_new"] == 1
    # The demonstration training of January is left out, and the page says so.
    assert response.context["demo_activities"] == 1
    assert (
        "1 demonstration activity of this year is not counted: made-up records must not fill "
        "a real office's months." in html
    )


def test_page_marks_levels_in_words(record: Record) -> None:
    plan = record.plan()
    StaffCapacity.objects.filter(plan=plan, organisation=record.office).update(
        staff_days_per_month=Decimal("8.0")
    )
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    html = client.get(PAGE, {"year": "2026"}).content.decode()
    assert '106 % <strong class="level-word">over capacity</strong>' in html
    StaffCapacity.objects.filter(plan=plan, organisation=record.office).update(
        staff_days_per_month=Decimal("9.5")
    )
    html = client.get(PAGE, {"year": "2026"}).content.decode()
    # 8.5 of 9.5 staff-days: 89.5 % (one decimal), shown as 90 %.
    assert '90 % <strong class="level-word">near capacity</strong>' in html


def test_page_empty_state_and_permissions(record: Record) -> None:
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    response = client.get(PAGE, {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="capacity-empty"' in html
    assert "/admin/insights/capacityplan/add/" in html
    agency = _english(Client(), record.user(Role.AGENCY_OFFICER, record.orgs.dinas_pendidikan))
    assert agency.get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302


# --- The activity form ----------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    SectorFactory.create()
    GovernmentAffairFactory.create()
    RegionFactory.create(kode="33.74.01", name="Semarang Tengah")
    form = {
        "partnership_slug": "smg-brisbane",
        "reference": "SMG-NEW",
        "kind": "seminar",
        "title_id": "Seminar banjir",
        "title_en": "Flood seminar",
        "agency": "disdik-semarang",
        "start_date": "2026-03-10",
        "end_date": "2026-03-10",
        "status": "planned",
        "place_region": "33.74.01",
        "sector": "16",
        "government_affair": "1.01",
    }
    form.update(overrides)
    return form


NEW = "/staff/activities/new/?partnership=smg-brisbane"


def test_form_warns_above_85_percent(record: Record) -> None:
    record.plan()
    ActivityKindEffort.objects.filter(kind="seminar").update(office_days=9)  # 90 % in March
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    response = client.post(NEW, _form(), follow=True)
    assert response.redirect_chain == [("/staff/activities/SMG-NEW/", 302)]
    messages = [str(message) for message in response.context["messages"]]
    assert messages[0] == (
        "Near capacity (above 85 %): Bagian Kerja Sama 90 % in March 2026; "
        "Dinas Pendidikan 33 % in March 2026; hosting 50 % in March 2026."
    )
    assert 'id="capacity-check"' in response.content.decode()


def test_form_over_capacity_needs_the_box(record: Record) -> None:
    record.plan()
    ActivityKindEffort.objects.filter(kind="seminar").update(office_days=11)  # 110 %
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    response = client.post(NEW, _form())
    assert response.status_code == 400
    assert not Activity.objects.filter(reference="SMG-NEW").exists()
    assert response.context["form"].errors["confirm_over_capacity"] == [
        "This activity takes the city over its capacity (Bagian Kerja Sama 110 % in March 2026; "
        "Dinas Pendidikan 33 % in March 2026; hosting 50 % in March 2026). Tick the box to "
        "save it all the same."
    ]
    html = response.content.decode()
    assert "capacity-check--over" in html and "over capacity" in html
    response = client.post(NEW, _form(confirm_over_capacity="on"), follow=True)
    assert response.redirect_chain == [("/staff/activities/SMG-NEW/", 302)]
    assert Activity.objects.filter(reference="SMG-NEW").exists()
    messages = [str(message) for message in response.context["messages"]]
    assert messages[0].startswith("Saved although it exceeds the capacity: Bagian Kerja Sama 110 %")


def test_form_editing_counts_the_activity_once_and_no_plan_no_warning(record: Record) -> None:
    client = _english(Client(), record.user(Role.COOPERATION_OFFICER))
    edit = "/staff/activities/SMG-1/edit/"
    data = _form(reference="SMG-1", kind="training", start_date="2026-01-30", end_date="2026-02-02")
    data["version"] = str(record.training.version)
    response = client.post(edit, data, follow=True)  # no plan yet: no check at all
    assert response.redirect_chain == [("/staff/activities/SMG-1/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    record.plan()
    StaffCapacity.objects.filter(organisation=record.office).update(
        staff_days_per_month=Decimal("9.0")
    )
    data["version"] = str(Activity.objects.get(reference="SMG-1").version)
    response = client.post(edit, data, follow=True)  # 8.5 of 9: 94.4 %, counted once
    assert next(str(m) for m in response.context["messages"]).startswith(
        "Near capacity (above 85 %): Bagian Kerja Sama 94 % in January 2026"
    )


def test_plan_validation_and_admin(record: Record) -> None:
    from django.core.exceptions import ValidationError

    plan = CapacityPlan(region_id="33.74", year=2026, cooperation_office=record.orgs.magelang)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        plan.full_clean()
    with translation.override("en"):  # the messages are lazy: read them in English
        assert error.value.message_dict == {
            "cooperation_office": ["The cooperation office must belong to this region."]
        }
    saved = record.plan()
    staff = StaffCapacity(plan=saved, organisation=record.orgs.magelang, staff_days_per_month=-1)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        staff.full_clean()
    with translation.override("en"):
        assert error.value.message_dict == {
            "organisation": ["The organisation must belong to the plan's region."],
            "staff_days_per_month": ["Enter zero or more."],
        }
    admin = Client()
    admin.force_login(UserFactory.create(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert admin.get("/admin/insights/capacityplan/add/").status_code == 200
    assert admin.get("/admin/insights/activitykindeffort/").status_code == 200
