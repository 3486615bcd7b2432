"""The activities API: filters, visibility, nested records, writes through the services.

Every refused write is checked twice: by its status and by the database
being exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from knox.models import AuthToken

from kembar.accounts.models import OrganisationKind, Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory, standard_organisations
from kembar.geo.tests.factories import CityFactory, CountryFactory
from kembar.partnerships.models import FocusArea
from kembar.partnerships.tests.factories import FocusAreaFactory, PartnershipFactory
from kembar.programs.models import (
    Activity,
    BudgetLine,
    Contribution,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    ParticipantCount,
    Result,
    SdgTarget,
    TripReport,
)
from kembar.programs.tests.factories import (
    ActivityFactory,
    GovernmentAffairFactory,
    SdgGoalFactory,
    SdgTargetFactory,
    SectorFactory,
    StandardIndicatorFactory,
    semarang_kecamatan,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/activities/"


def url(reference: str, tail: str = "") -> str:
    return f"{LIST}{reference}/{tail + '/' if tail else ''}"


@pytest.fixture
def world() -> dict[str, Any]:
    """Semarang with three partnerships and five activities.

    - ``smg-brisbane``: not public; Brisbane's counterpart and Semarang's staff see it;
    - ``smg-nanjing``: public;
    - ``smg-internal``: not public, with a city nobody here represents.
    """
    orgs = standard_organisations()
    disdag = OrganisationFactory.create(
        slug="disdag-semarang",
        name="Dinas Perdagangan",
        kind=OrganisationKind.AGENCY,
        parent=orgs.semarang,
    )
    tengah = semarang_kecamatan("33.74.01", "Semarang Tengah")
    semarang_kecamatan("33.74.07", "Semarang Selatan")
    SectorFactory.create()
    trade = SectorFactory.create(code=7, kbli_sections="G", name_id="Perdagangan", name_en="Trade")
    GovernmentAffairFactory.create()
    GovernmentAffairFactory.create(code="3.30", name_id="Perdagangan", name_en="Trade")
    SdgTargetFactory.create()
    SdgGoalFactory.create(code=8, name_id="Pekerjaan Layak", name_en="Decent Work")
    FocusAreaFactory.create()
    StandardIndicatorFactory.create()
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane", partner_city=orgs.partner_city, is_public=False
    )
    nanjing = PartnershipFactory.create(
        slug="smg-nanjing",
        partner_country=CountryFactory.create(iso2="CN"),
        partner_city=CityFactory.create(name="Nanjing", country=CountryFactory.create(iso2="CN")),
    )
    internal = PartnershipFactory.create(slug="smg-internal", is_public=False)

    def activity(reference: str, **values: Any) -> Activity:
        values.setdefault("agency", orgs.dinas_pendidikan)
        return ActivityFactory.create(reference=reference, **values)

    activities = {
        "training": activity("SMG-BNE-2024-01", partnership=brisbane, place_region=tengah),
        "mission": activity(
            "SMG-BNE-2023-01",
            partnership=brisbane,
            agency=disdag,
            kind="trade_mission",
            start_date=dt.date(2023, 12, 28),
            end_date=dt.date(2024, 1, 3),
            sector=trade,
            in_partner_city=True,
        ),
        "inbound": activity(
            "SMG-NJG-2025-01",
            partnership=nanjing,
            kind="exchange_inbound",
            start_date=dt.date(2025, 5, 12),
            end_date=dt.date(2025, 5, 16),
            status="planned",
            title_en="Nanjing students visit",
        ),
        "seminar": activity(
            "SMG-INT-2024-01",
            partnership=internal,
            agency=disdag,
            kind="seminar",
            start_date=dt.date(2024, 9, 2),
            end_date=dt.date(2024, 9, 2),
            sector=trade,
        ),
        "demo": activity(
            "DEMO-NJG-2022-01",
            partnership=nanjing,
            kind="festival",
            start_date=dt.date(2022, 8, 1),
            end_date=dt.date(2022, 8, 3),
            is_demo=True,
        ),
    }

    def user(name: str, role: str, organisation: Any) -> User:
        return UserFactory.create(username=name, role=role, organisation=organisation)

    return {
        "orgs": orgs,
        "disdag": disdag,
        "brisbane": brisbane,
        "activities": activities,
        "users": {
            "administrator": user("admin", Role.ADMINISTRATOR, orgs.semarang),
            "officer": user("officer", Role.COOPERATION_OFFICER, orgs.semarang),
            "agency_own": user("disdik", Role.AGENCY_OFFICER, orgs.dinas_pendidikan),
            "agency_other": user("disdag", Role.AGENCY_OFFICER, disdag),
            "leadership": user("walikota", Role.LEADERSHIP, orgs.semarang),
            "council": user("dprd", Role.COUNCIL_MEMBER, orgs.dprd_semarang),
            "partner": user("brisbane", Role.PARTNER_COUNTERPART, orgs.partner_government),
            "magelang": user("magelang", Role.COOPERATION_OFFICER, orgs.magelang),
        },
    }


def token_client(user: User | None) -> Client:
    if user is None:
        return Client(HTTP_ACCEPT_LANGUAGE="en")
    _stored, token = AuthToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")


def as_user(world: dict[str, Any], who: str) -> Client:
    return token_client(None if who == "anonymous" else world["users"][who])


def references(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


def send(client: Client, method: str, path: str, body: Any) -> Any:
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def snapshot() -> list[Any]:
    """Everything the API can write, to show that a refused request changed nothing."""
    return [
        list(Activity.objects.order_by("reference").values()),
        list(ParticipantCount.objects.order_by("pk").values()),
        list(BudgetLine.objects.order_by("pk").values()),
        list(Contribution.objects.order_by("pk").values()),
        list(Result.objects.order_by("pk").values()),
        list(IndicatorPeriod.objects.order_by("pk").values()),
        list(TripReport.objects.order_by("pk").values()),
        sorted(Activity.sdg_goals.through.objects.values_list("activity_id", "sdggoal_id")),
    ]


# --- Reading --------------------------------------------------------------------------------


ALL = ["SMG-NJG-2025-01", "SMG-INT-2024-01", "SMG-BNE-2024-01", "SMG-BNE-2023-01"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [*ALL, "DEMO-NJG-2022-01"]),
        ("partnership=smg-brisbane", ["SMG-BNE-2024-01", "SMG-BNE-2023-01"]),
        ("partnership=smg-nanjing", ["SMG-NJG-2025-01", "DEMO-NJG-2022-01"]),
        ("agency=disdag-semarang", ["SMG-INT-2024-01", "SMG-BNE-2023-01"]),
        ("sector=7", ["SMG-INT-2024-01", "SMG-BNE-2023-01"]),
        ("kind=training", ["SMG-BNE-2024-01"]),
        ("year=2024", ["SMG-INT-2024-01", "SMG-BNE-2024-01", "SMG-BNE-2023-01"]),
        ("year=2023", ["SMG-BNE-2023-01"]),
        ("year=2021", []),
        ("partnership=smg-brisbane&year=2023", ["SMG-BNE-2023-01"]),
        ("partnership=smg-brisbane&agency=disdik-semarang", ["SMG-BNE-2024-01"]),
        ("agency=disdag-semarang&sector=7&year=2024", ["SMG-INT-2024-01", "SMG-BNE-2023-01"]),
        ("agency=disdik-semarang&sector=16&kind=exchange_inbound", ["SMG-NJG-2025-01"]),
        ("sector=16&year=2024&kind=training", ["SMG-BNE-2024-01"]),
        ("status=planned", ["SMG-NJG-2025-01"]),
        ("search=students", ["SMG-NJG-2025-01"]),
        ("demo=true", ["DEMO-NJG-2022-01"]),
        ("demo=false", ALL),
        ("ordering=reference&year=2024", ["SMG-BNE-2023-01", "SMG-BNE-2024-01", "SMG-INT-2024-01"]),
    ],
)
def test_list_filters(world: dict[str, Any], query: str, expected: list[str]) -> None:
    response = as_user(world, "administrator").get(f"{LIST}?{query}")

    assert references(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("levle=1", ["levle"]),
        ("year=soon", ["year"]),
        ("year=1800", ["year"]),
        ("kind=picnic", ["kind"]),
        ("sector=99", ["sector"]),
        ("agency=nobody", ["agency"]),
        ("partnership=smg-nowhere", ["partnership"]),
        ("demo=perhaps", ["demo"]),
        ("ordering=title", ["ordering"]),
        ("year=x&colour=red", ["colour"]),
    ],
)
def test_bad_query_parameters_are_named(
    world: dict[str, Any], query: str, names: list[str]
) -> None:
    response = as_user(world, "administrator").get(f"{LIST}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert sorted(body["errors"]) == names
    assert body["detail"] == f"Invalid parameter: {', '.join(names)}"


def test_an_invisible_partnership_answers_like_an_unknown_one(world: dict[str, Any]) -> None:
    hidden = as_user(world, "anonymous").get(f"{LIST}?partnership=smg-internal")
    unknown = as_user(world, "anonymous").get(f"{LIST}?partnership=smg-nowhere")

    assert (hidden.status_code, unknown.status_code) == (400, 400)
    assert hidden.json()["errors"] == {
        "partnership": ["Object with slug=smg-internal does not exist."]
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", ["SMG-NJG-2025-01", "DEMO-NJG-2022-01"]),
        ("magelang", ["SMG-NJG-2025-01", "DEMO-NJG-2022-01"]),
        # Only their own partnership: Nanjing's public activities are for the public portal.
        ("partner", ["SMG-BNE-2024-01", "SMG-BNE-2023-01"]),
        ("council", [*ALL, "DEMO-NJG-2022-01"]),
        ("agency_other", [*ALL, "DEMO-NJG-2022-01"]),
    ],
)
def test_who_sees_which_activities(world: dict[str, Any], who: str, expected: list[str]) -> None:
    client = as_user(world, who)

    assert references(client.get(LIST)) == expected
    for reference in ALL:
        status = client.get(url(reference)).status_code
        assert status == (200 if reference in expected else 404), reference


@pytest.mark.parametrize("who", ["partner", "magelang"])
def test_another_public_partnership_is_not_offered(world: dict[str, Any], who: str) -> None:
    """Writes name only partnerships of the caller's staff pages; a partner counterpart's
    filter too (the public portal shows the others)."""
    before = snapshot()
    client = as_user(world, who)

    created = send(client, "post", LIST, new_activity(partnership="smg-nanjing"))

    assert created.status_code == 400, created.content
    assert created.json()["errors"] == {
        "partnership": ["Object with slug=smg-nanjing does not exist."]
    }
    assert snapshot() == before
    filtered = client.get(f"{LIST}?partnership=smg-nanjing")
    if who == "partner":
        assert filtered.status_code == 400
        assert filtered.json()["errors"] == {
            "partnership": ["Object with slug=smg-nanjing does not exist."]
        }
    else:
        assert references(filtered) == ["SMG-NJG-2025-01", "DEMO-NJG-2022-01"]


def test_unknown_activity_is_404(world: dict[str, Any]) -> None:
    assert as_user(world, "administrator").get(url("SMG-NOPE")).status_code == 404


@pytest.fixture
def recorded(world: dict[str, Any]) -> Activity:
    """The Brisbane training with participants, money, contributions and a result."""
    activity: Activity = world["activities"]["training"]
    activity.participants_local = 5
    activity.participants_partner = 2
    activity.save()
    activity.sdg_goals.add(4)
    activity.sdg_targets.add(SdgTarget.objects.get(code="4.7"))
    activity.focus_areas.add(FocusArea.objects.get(slug="education"))
    tengah = activity.place_region
    for side, group, gender, home, count in [
        ("local", "government", "female", tengah, 3),
        ("local", "academia", "male", None, 2),
        ("partner", "academia", "female", None, 2),
    ]:
        ParticipantCount.objects.create(
            activity=activity,
            side=side,
            group=group,
            gender=gender,
            age_band="25-44",
            home_region=home,
            count=count,
        )
    BudgetLine.objects.create(
        activity=activity,
        source="apbd",
        kind="spending",
        amount=Decimal("45000000.00"),
        amount_idr=Decimal("45000000.00"),
    )
    BudgetLine.objects.create(
        activity=activity,
        source="partner",
        kind="spending",
        amount=Decimal("1250.50"),
        currency="AUD",
        rate_to_idr=Decimal("10421.5"),
        amount_idr=Decimal("13032085.75"),
    )
    Contribution.objects.create(
        activity=activity, side="partner", form="expertise", description="Two trainers"
    )
    result = Result.objects.create(activity=activity, level="output", title="Teachers trained")
    indicator = Indicator.objects.create(
        result=result, standard_id="students_exchanged", title="Teachers", unit="people"
    )
    period = IndicatorPeriod.objects.create(
        indicator=indicator,
        period_start=dt.date(2024, 3, 4),
        period_end=dt.date(2024, 3, 8),
        target=Decimal(6),
        actual=Decimal(5),
    )
    IndicatorDisaggregation.objects.create(
        period=period, dimension="gender", category="female", actual=Decimal(3)
    )
    IndicatorDisaggregation.objects.create(
        period=period, dimension="gender", category="male", actual=Decimal(2)
    )
    return activity


def test_detail_nests_everything_recorded(world: dict[str, Any], recorded: Activity) -> None:
    body = as_user(world, "officer").get(url("SMG-BNE-2024-01")).json()

    assert {name: body[name] for name in ("partnership", "kind", "kind_label", "agency")} == {
        "partnership": {"slug": "smg-brisbane", "partner_name": "Brisbane"},
        "kind": "training",
        "kind_label": "training",
        "agency": {"slug": "disdik-semarang", "name": "Dinas Pendidikan"},
    }
    assert body["place"] == {"kind": "region", "kode": "33.74.01", "name": "Semarang Tengah"}
    assert (body["sector"], body["government_affair"]) == (
        {"code": 16, "name": "Education"},
        {"code": "1.01", "name": "Education"},
    )
    assert (body["sdg_goals"], body["sdg_targets"], body["focus_areas"]) == (
        [4],
        ["4.7"],
        ["education"],
    )
    assert (body["participants_local"], body["participants_partner"], body["is_demo"]) == (
        5,
        2,
        False,
    )
    assert body["participants"] == [
        {
            "side": "local",
            "group": "academia",
            "gender": "male",
            "age_band": "25-44",
            "home_region": None,
            "home_region_name": None,
            "count": 2,
        },
        {
            "side": "local",
            "group": "government",
            "gender": "female",
            "age_band": "25-44",
            "home_region": "33.74.01",
            "home_region_name": "Semarang Tengah",
            "count": 3,
        },
        {
            "side": "partner",
            "group": "academia",
            "gender": "female",
            "age_band": "25-44",
            "home_region": None,
            "home_region_name": None,
            "count": 2,
        },
    ]
    local = sum(row["count"] for row in body["participants"] if row["side"] == "local")
    partner = sum(row["count"] for row in body["participants"] if row["side"] == "partner")
    assert (local, partner) == (body["participants_local"], body["participants_partner"])
    assert body["budget"] == [
        {
            "source": "apbd",
            "kind": "spending",
            "amount": "45000000.00",
            "currency": "IDR",
            "rate_to_idr": "1.000000",
            "amount_idr": "45000000.00",
            "note": "",
        },
        {
            "source": "partner",
            "kind": "spending",
            "amount": "1250.50",
            "currency": "AUD",
            "rate_to_idr": "10421.500000",
            "amount_idr": "13032085.75",
            "note": "",
        },
    ]
    assert body["contributions"] == [
        {
            "side": "partner",
            "form": "expertise",
            "description": "Two trainers",
            "value": None,
            "currency": "IDR",
            "rate_to_idr": "1.000000",
            "value_idr": None,
        }
    ]
    assert body["results"] == [
        {
            "level": "output",
            "title": "Teachers trained",
            "indicators": [
                {
                    "title": "Teachers",
                    "unit": "people",
                    "standard": "students_exchanged",
                    "higher_is_better": True,
                    "baseline_year": None,
                    "baseline_value": None,
                    "periods": [
                        {
                            "period_start": "2024-03-04",
                            "period_end": "2024-03-08",
                            "target": "6.0000",
                            "actual": "5.0000",
                            "disaggregation": [
                                {"dimension": "gender", "category": "female", "actual": "3.0000"},
                                {"dimension": "gender", "category": "male", "actual": "2.0000"},
                            ],
                        }
                    ],
                }
            ],
        }
    ]


def test_partner_city_place(world: dict[str, Any]) -> None:
    body = as_user(world, "officer").get(url("SMG-BNE-2023-01")).json()

    assert body["place"] == {"kind": "partner_city", "kode": None, "name": "Brisbane"}


def test_list_costs_the_same_queries_whatever_its_length(
    world: dict[str, Any], recorded: Activity, django_assert_max_num_queries: Any
) -> None:
    client = as_user(world, "administrator")
    client.get(LIST)  # the token is looked up once, whatever follows

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(12):
        copy = ActivityFactory.create(
            reference=f"SMG-BNE-2019-{number:02d}",
            partnership=recorded.partnership,
            agency=recorded.agency,
            place_region=recorded.place_region,
        )
        copy.sdg_goals.add(4)
        for row in recorded.participant_counts.all():
            row.pk = None
            row.activity = copy
            row.save()
        for line in recorded.budget_lines.all():
            line.pk = None
            line.activity = copy
            line.save()
    with django_assert_max_num_queries(few):
        response = client.get(LIST)
    assert response.json()["count"] == 17


# --- Writing --------------------------------------------------------------------------------


def new_activity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "SMG-BNE-2025-07",
        "partnership": "smg-brisbane",
        "kind": "training",
        "title_id": "Pelatihan kota cerdas",
        "title_en": "Smart city training",
        "agency": "disdik-semarang",
        "start_date": "2025-07-14",
        "end_date": "2025-07-18",
        "status": "completed",
        "place": "33.74.07",
        "sector": 16,
        "government_affair": "1.01",
        "sdg_goals": [8],
        "sdg_targets": ["4.7"],
        "focus_areas": ["education"],
        "participants_local": 6,
        "participants_partner": 1,
        "participants": [
            {
                "side": "local",
                "group": "government",
                "gender": "female",
                "age_band": "25-44",
                "home_region": "33.74.01",
                "count": 4,
            },
            {
                "side": "local",
                "group": "academia",
                "gender": "male",
                "age_band": "45-64",
                "count": 2,
            },
            {
                "side": "partner",
                "group": "government",
                "gender": "male",
                "age_band": "45-64",
                "count": 1,
            },
        ],
    }
    body.update(changes)
    return body


def test_create_with_participants(world: dict[str, Any]) -> None:
    response = send(as_user(world, "officer"), "post", LIST, new_activity())

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reference"], body["place"]["kode"], body["sdg_goals"], body["is_demo"]) == (
        "SMG-BNE-2025-07",
        "33.74.07",
        [4, 8],
        False,
    )
    activity = Activity.objects.get(reference="SMG-BNE-2025-07")
    assert activity.created_by == world["users"]["officer"]
    assert sorted(activity.participant_counts.values_list("side", "group", "count")) == [
        ("local", "academia", 2),
        ("local", "government", 4),
        ("partner", "government", 1),
    ]


def test_create_with_totals_that_do_not_add_up(world: dict[str, Any]) -> None:
    before = snapshot()

    response = send(as_user(world, "officer"), "post", LIST, new_activity(participants_local=7))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid parameter: participants_local",
        "errors": {
            "participants_local": [
                "The breakdown adds up to 6 but the total says 7: correct one of them."
            ]
        },
    }
    assert snapshot() == before


def test_create_with_a_negative_count(world: dict[str, Any]) -> None:
    body = new_activity()
    body["participants"][1]["count"] = -2
    before = snapshot()

    response = send(as_user(world, "officer"), "post", LIST, body)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "participants": {"1": {"count": ["Ensure this value is greater than or equal to 0."]}}
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"sector": 99}, {"sector": ['Invalid pk "99" - object does not exist.']}),
        (
            {"government_affair": "9.99"},
            {"government_affair": ['Invalid pk "9.99" - object does not exist.']},
        ),
        ({"sdg_goals": [99]}, {"sdg_goals": ['Invalid pk "99" - object does not exist.']}),
        (
            {"sdg_targets": ["4.77"]},
            {"sdg_targets": ['Invalid pk "4.77" - object does not exist.']},
        ),
        (
            {"focus_areas": ["fishing"]},
            {"focus_areas": ["Object with slug=fishing does not exist."]},
        ),
        ({"agency": "dinas-x"}, {"agency": ["Object with slug=dinas-x does not exist."]}),
        (
            {"partnership": "smg-nowhere"},
            {"partnership": ["Object with slug=smg-nowhere does not exist."]},
        ),
        ({"place": "33.74.99"}, {"place": ["Object with kode=33.74.99 does not exist."]}),
        (
            {"place": "33.71"},
            {"place": ["Kota Magelang is not a kecamatan or kelurahan of Kota Semarang."]},
        ),
        ({"kind": "picnic"}, {"kind": ['"picnic" is not a valid choice.']}),
        (
            {"reference": "SMG-BNE-2024-01"},
            {"reference": ["Another activity already has this reference."]},
        ),
        (
            {"agency": "dprd-semarang"},
            {"agency": ["You may report only for your own agency."]},
        ),
    ],
)
def test_create_refuses_unknown_codes_by_field(
    world: dict[str, Any], changes: dict[str, Any], errors: dict[str, Any]
) -> None:
    before = snapshot()

    response = send(as_user(world, "agency_own"), "post", LIST, new_activity(**changes))

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert snapshot() == before


WHO = [
    "administrator",
    "officer",
    "agency_own",
    "agency_other",
    "leadership",
    "council",
    "partner",
    "anonymous",
]
REFUSED = {401, 403}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("administrator", {201}),
        ("officer", {201}),
        ("agency_own", {201}),
        ("agency_other", {400}),  # may report, but only for their own agency
        ("leadership", {403}),
        ("council", {403}),
        ("partner", {403}),
        ("anonymous", REFUSED),
    ],
)
def test_who_may_create(world: dict[str, Any], who: str, expected: set[int]) -> None:
    before = snapshot()

    response = send(as_user(world, who), "post", LIST, new_activity())

    assert response.status_code in expected, response.content
    if 201 not in expected:
        assert snapshot() == before
    else:
        assert Activity.objects.filter(reference="SMG-BNE-2025-07").exists()


def change_body() -> dict[str, Any]:
    body = new_activity(title_en="Teacher training, corrected", participants_local=0)
    del body["reference"]
    body["participants_partner"] = 0
    body["participants"] = []
    body["version"] = 1
    return body


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("administrator", {200}),
        ("officer", {200}),
        ("agency_own", {200}),
        ("agency_other", {403}),
        ("leadership", {403}),
        ("council", {403}),
        ("partner", {403}),
        ("anonymous", REFUSED),
    ],
)
def test_who_may_change(world: dict[str, Any], who: str, expected: set[int]) -> None:
    before = snapshot()

    response = send(as_user(world, who), "put", url("SMG-BNE-2024-01"), change_body())

    assert response.status_code in expected, response.content
    title = Activity.objects.get(reference="SMG-BNE-2024-01").title_en
    if 200 in expected:
        assert (title, response.json()["title_en"]) == ("Teacher training, corrected",) * 2
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("administrator", {204}),
        ("officer", {204}),
        ("agency_own", {204}),
        ("agency_other", {403}),
        ("leadership", {403}),
        ("council", {403}),
        ("partner", {403}),
        ("anonymous", REFUSED),
    ],
)
def test_who_may_delete(
    world: dict[str, Any], recorded: Activity, who: str, expected: set[int]
) -> None:
    before = snapshot()

    response = as_user(world, who).delete(url("SMG-BNE-2024-01"))

    assert response.status_code in expected
    exists = Activity.objects.filter(reference="SMG-BNE-2024-01").exists()
    if 204 in expected:
        assert not exists
        assert ParticipantCount.objects.filter(activity_id=recorded.pk).count() == 0
    else:
        assert snapshot() == before


def test_writes_to_an_invisible_activity_are_404(world: dict[str, Any]) -> None:
    before = snapshot()
    client = as_user(world, "magelang")

    assert send(client, "put", url("SMG-INT-2024-01"), change_body()).status_code == 404
    assert client.delete(url("SMG-INT-2024-01")).status_code == 404
    assert snapshot() == before


def test_patch_changes_only_what_is_given(world: dict[str, Any], recorded: Activity) -> None:
    response = send(
        as_user(world, "agency_own"),
        "patch",
        url("SMG-BNE-2024-01"),
        {"version": 1, "title_en": "Teacher training (Brisbane)", "place": "partner_city"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title_en"], body["title_id"], body["place"]["kind"]) == (
        "Teacher training (Brisbane)",
        recorded.title_id,
        "partner_city",
    )
    assert (body["participants_local"], len(body["participants"]), body["sdg_goals"]) == (
        5,
        3,
        [4],
    )


def test_patch_totals_must_still_match_the_stored_breakdown(
    world: dict[str, Any], recorded: Activity
) -> None:
    before = snapshot()

    response = send(
        as_user(world, "officer"),
        "patch",
        url("SMG-BNE-2024-01"),
        {"version": 1, "participants_local": 9},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "participants_local": [
            "The breakdown adds up to 5 but the total says 9: correct one of them."
        ]
    }
    assert snapshot() == before


def test_report_participants(world: dict[str, Any], recorded: Activity) -> None:
    client = as_user(world, "officer")
    counts = [
        {
            "side": "local",
            "group": "students_youth",
            "gender": "female",
            "age_band": "15-24",
            "home_region": "33.74.07",
            "count": 10,
        }
    ]
    wrong = send(
        client,
        "put",
        url("SMG-BNE-2024-01", "participants"),
        {"version": 1, "participants_local": 11, "participants_partner": 0, "counts": counts},
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {
        "participants_local": [
            "The breakdown adds up to 10 but the total says 11: correct one of them."
        ]
    }

    response = send(
        client,
        "put",
        url("SMG-BNE-2024-01", "participants"),
        {"version": 1, "participants_local": 10, "participants_partner": 0, "counts": counts},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["participants_local"], body["participants_partner"]) == (10, 0)
    assert [(row["home_region"], row["count"]) for row in body["participants"]] == [
        ("33.74.07", 10)
    ]


def test_participant_rows_outside_the_city_are_named(world: dict[str, Any]) -> None:
    response = send(
        as_user(world, "officer"),
        "put",
        url("SMG-BNE-2024-01", "participants"),
        {
            "version": 1,
            "participants_local": 0,
            "participants_partner": 1,
            "counts": [
                {
                    "side": "partner",
                    "group": "government",
                    "gender": "male",
                    "age_band": "45-64",
                    "home_region": "33.74.01",
                    "count": 1,
                }
            ],
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "counts": ["Row 1: Partner people hosted come from outside the city: leave it empty."]
    }


def test_budget_and_contributions(world: dict[str, Any]) -> None:
    client = as_user(world, "agency_own")

    budget = send(
        client,
        "put",
        url("SMG-BNE-2024-01", "budget"),
        {
            "version": 1,
            "lines": [
                {"source": "apbd", "kind": "budget", "amount": "50000000"},
                {
                    "source": "partner",
                    "kind": "spending",
                    "amount": "1250.50",
                    "currency": "AUD",
                    "rate_to_idr": "10421.5",
                },
            ],
        },
    )
    contributions = send(
        client,
        "put",
        url("SMG-BNE-2024-01", "contributions"),
        {
            "version": 2,
            "contributions": [
                {"side": "local", "form": "in_kind", "description": "Venue"},
                {
                    "side": "partner",
                    "form": "funds",
                    "description": "Travel grant",
                    "value": "2000",
                    "currency": "AUD",
                    "rate_to_idr": "10421.5",
                },
            ],
        },
    )

    assert budget.status_code == contributions.status_code == 200
    assert [
        (line["source"], line["amount"], line["amount_idr"]) for line in budget.json()["budget"]
    ] == [("apbd", "50000000.00", "50000000.00"), ("partner", "1250.50", "13032085.75")]
    assert [(row["side"], row["value_idr"]) for row in contributions.json()["contributions"]] == [
        ("local", None),
        ("partner", "20843000.00"),
    ]


def test_budget_problems_are_named_by_row_and_field(world: dict[str, Any]) -> None:
    before = snapshot()

    response = send(
        as_user(world, "officer"),
        "put",
        url("SMG-BNE-2024-01", "budget"),
        {
            "version": 1,
            "lines": [{"source": "apbd", "kind": "budget", "amount": "-5", "currency": "XYZ"}],
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "amount": ["Row 1: An amount cannot be negative."],
        "currency": ["Row 1: “XYZ” is not an ISO 4217 currency code (IDR, USD, AUD …)."],
    }
    assert snapshot() == before


def test_record_a_result(world: dict[str, Any]) -> None:
    client = as_user(world, "officer")
    row = {
        "level": "output",
        "result_title": "Teachers trained",
        "standard": "students_exchanged",
        "period_start": "2024-03-04",
        "period_end": "2024-03-08",
        "target": "20",
        "actual": "18",
        "disaggregation": [
            {"dimension": "gender", "category": "female", "actual": "11"},
            {"dimension": "gender", "category": "male", "actual": "7"},
        ],
    }

    first = send(client, "post", url("SMG-BNE-2024-01", "results"), {**row, "version": 1})
    again = send(client, "post", url("SMG-BNE-2024-01", "results"), {**row, "version": 2})
    wrong = send(
        client,
        "post",
        url("SMG-BNE-2024-01", "results"),
        {**row, "actual": "19", "version": 2},
    )

    assert (first.status_code, again.status_code, wrong.status_code) == (201, 200, 400)
    assert (first.json()["version"], again.json()["version"]) == (2, 2)
    indicator = first.json()["results"][0]["indicators"][0]
    assert (indicator["title"], indicator["unit"], indicator["standard"]) == (
        "Pelajar dan mahasiswa yang dipertukarkan",
        "orang",
        "students_exchanged",
    )
    assert wrong.json()["errors"] == {
        "disaggregation": ["The values by gender add up to 18.0000, not to the actual 19.0000."]
    }
    assert IndicatorPeriod.objects.get().actual == Decimal(18)


TRIP: dict[str, Any] = {
    "version": 1,
    "purpose": "Trade mission to Brisbane's food expo",
    "outputs": "Three buyers met; one letter of intent",
    "days": 7,
    "cost_idr": "185000000",
    "travellers": [
        {"role": "Head of agency", "organisation": "Dinas Perdagangan", "count": 1},
        {"role": "Exporter", "organisation": "UMKM Semarang", "count": 4},
    ],
}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("administrator", 200),
        ("officer", 200),
        ("agency_other", 200),
        ("leadership", 200),
        ("council", 200),
        ("partner", 403),
        ("magelang", 404),
        ("anonymous", 401),
    ],
)
def test_trip_report_visibility(world: dict[str, Any], who: str, expected: int) -> None:
    saved = send(as_user(world, "agency_other"), "put", url("SMG-BNE-2023-01", "trip-report"), TRIP)
    assert saved.status_code == 200, saved.content

    response = as_user(world, who).get(url("SMG-BNE-2023-01", "trip-report"))

    assert response.status_code in ({401, 403} if expected == 401 else {expected})
    if expected == 200:
        assert response.json() | {"submitted_at": None} == {
            **TRIP,
            "version": 2,
            "cost_idr": "185000000.00",
            "travellers": sorted(TRIP["travellers"], key=lambda row: row["organisation"]),
            "submitted_by": "disdag",
            "submitted_at": None,
        }


def test_trip_report_refusals_change_nothing(world: dict[str, Any]) -> None:
    before = snapshot()

    partner = send(as_user(world, "partner"), "put", url("SMG-BNE-2023-01", "trip-report"), TRIP)
    council = send(as_user(world, "council"), "put", url("SMG-BNE-2023-01", "trip-report"), TRIP)
    training = send(as_user(world, "officer"), "put", url("SMG-BNE-2024-01", "trip-report"), TRIP)

    assert (partner.status_code, council.status_code, training.status_code) == (403, 403, 400)
    assert list(training.json()["errors"]) == ["activity"]
    assert snapshot() == before
    assert as_user(world, "council").get(url("SMG-BNE-2023-01", "trip-report")).status_code == 404


# --- The schema -----------------------------------------------------------------------------


def test_schema_documents_the_activities_api(client: Client, tmp_path: Path) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/activities/": {"get", "post"},
        "/api/v1/activities/{reference}/": {"get", "put", "patch", "delete"},
        "/api/v1/activities/{reference}/participants/": {"put"},
        "/api/v1/activities/{reference}/budget/": {"put"},
        "/api/v1/activities/{reference}/contributions/": {"put"},
        "/api/v1/activities/{reference}/results/": {"post"},
        "/api/v1/activities/{reference}/trip-report/": {"get", "put"},
    } == {
        path: set(operations) - {"parameters"}
        for path, operations in paths.items()
        if path.startswith("/api/v1/activities/")
    }
    parameters = {p["name"] for p in paths["/api/v1/activities/"]["get"]["parameters"]}
    assert parameters >= {"partnership", "agency", "sector", "kind", "year", "demo", "page"}
    # The whole schema generates and validates without a single warning.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))
