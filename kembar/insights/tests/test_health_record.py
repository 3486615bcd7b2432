"""Partnership health from the database, on a small record worked out by hand.

Brisbane (public), as of 2025-01-01:

- an MoU signed 2020-01-01, valid until 2025-12-31 (after the as-of date:
  still in force); the documented history repeats the signing, which is not
  counted twice;
- A-1, 2024-03-04, held in Brisbane with a trip report, Semarang paid: an
  outbound activity, an outbound visit, an outbound contribution;
- A-2, 2024-09-02 to 09-03, held in Semarang Tengah with 3 partner people,
  Brisbane paid, one result: an inbound activity, an inbound visit, an
  inbound contribution, a result on 2024-09-03;
- a planned and a cancelled activity, which are not facts yet.

Distinct engagement days 2020-01-01, 2024-03-04, 2024-09-02, 2024-09-03: gaps
1524, 182, 1 days, median 182, mean gap 182 / ln 2 = 262.57 shrunk with three
pseudo-gaps of 180 days: exp((3 ln 262.57 + 3 ln 180) / 6) = 217.40 days.
Silence 120 days: active.  Reciprocity (3 − 3) / 6 = 0.  Score:
recency 2^(−120/365) = .79622, intensity 1 − e^(−7/4) = .82623 (seven
engagement events in the last year), mutuality 1 − e^(−1) = .63212 (three
each way), agreement 1, breadth .75 (the one sector, the one agency and the
one kecamatan of this small world reached, none of the seven groups:
(1 + 1 + 1 + 0/7) / 4):
100 × (.35 × .79622 + .25 × .82623 + .15 × .63212 + .15 + .10 × .75) = 80.5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kembar.accounts.models import Organisation, Role
from kembar.accounts.tests.factories import UserFactory, standard_organisations
from kembar.analytics.health import Event
from kembar.insights.health import health_figures, partnership_events
from kembar.partnerships.models import DocumentKind, Partnership, PartnershipDocument
from kembar.partnerships.tests.factories import PartnershipEventFactory, PartnershipFactory
from kembar.programs.models import Contribution, Result, TripReport
from kembar.programs.tests.factories import ActivityFactory, semarang_kecamatan

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 1, 1)


def _record() -> Partnership:
    orgs = standard_organisations()
    brisbane = PartnershipFactory.create(
        slug="smg-brisbane", partner_name="Brisbane", partner_city=orgs.partner_city
    )
    mou, _ = DocumentKind.objects.get_or_create(
        code="mou", defaults={"name_id": "MoU", "name_en": "MoU", "has_validity": True}
    )
    PartnershipDocument.objects.create(
        partnership=brisbane,
        kind=mou,
        title="MoU",
        signed_on=dt.date(2020, 1, 1),
        valid_until=dt.date(2025, 12, 31),
        sha256="",
        size_bytes=0,
        uploaded_at=timezone.now(),
    )
    PartnershipEventFactory.create(partnership=brisbane, date=dt.date(2020, 1, 1))
    PartnershipEventFactory.create(
        partnership=brisbane, date=dt.date(2023, 1, 1), kind="became_dormant"
    )
    abroad = ActivityFactory.create(
        reference="A-1", partnership=brisbane, in_partner_city=True, start_date=dt.date(2024, 3, 4)
    )
    TripReport.objects.create(
        activity=abroad, purpose="Study", outputs="Notes", days=4, cost_idr=Decimal(1)
    )
    Contribution.objects.create(activity=abroad, side="local", form="funds", description="Fares")
    hosted = ActivityFactory.create(
        reference="A-2",
        partnership=brisbane,
        place_region=semarang_kecamatan(),
        participants_partner=3,
        start_date=dt.date(2024, 9, 2),
        end_date=dt.date(2024, 9, 3),
    )
    Contribution.objects.create(
        activity=hosted, side="partner", form="expertise", description="Trainers"
    )
    Result.objects.create(activity=hosted, level="output", title="Teachers trained")
    ActivityFactory.create(
        reference="A-3",
        partnership=brisbane,
        status="planned",
        start_date=dt.date(2024, 12, 1),
        end_date=dt.date(2024, 12, 1),
    )
    ActivityFactory.create(
        reference="A-4",
        partnership=brisbane,
        status="cancelled",
        start_date=dt.date(2024, 12, 2),
        end_date=dt.date(2024, 12, 2),
    )
    return brisbane


EXPECTED = [
    Event("agreement_signed", dt.date(2020, 1, 1)),
    Event("agreement_expires", dt.date(2025, 12, 31)),
    Event("activity", dt.date(2024, 3, 4), "outbound"),
    Event("visit", dt.date(2024, 3, 4), "outbound"),
    Event("contribution", dt.date(2024, 3, 4), "outbound"),
    Event("activity", dt.date(2024, 9, 2), "inbound"),
    Event("visit", dt.date(2024, 9, 2), "inbound"),
    Event("contribution", dt.date(2024, 9, 2), "inbound"),
    Event("result", dt.date(2024, 9, 3)),
]


def test_the_record_becomes_events() -> None:
    brisbane = _record()
    events, includes_demo = partnership_events([brisbane])
    assert includes_demo is False
    assert sorted(events[brisbane.pk], key=repr) == sorted(EXPECTED, key=repr)


def test_health_computed_by_hand() -> None:
    _record()
    figures = health_figures(
        partnerships=Partnership.objects.all(), public=False, region="33.74", as_of=AS_OF
    )
    (row,) = figures.as_dict()["partnerships"]
    assert (row["slug"], row["name"], row["state"], row["warning_since"]) == (
        "smg-brisbane",
        "Brisbane",
        "active",
        None,
    )
    assert (row["score"], row["reciprocity"]) == (80.5, 0.0)
    assert row["components"] == {
        "recency": {"value": 0.7962, "weight": 0.35, "points": 27.87},
        "intensity": {"value": 0.8262, "weight": 0.25, "points": 20.66},
        "mutuality": {"value": 0.6321, "weight": 0.15, "points": 9.48},
        "agreement": {"value": 1.0, "weight": 0.15, "points": 15.0},
        "breadth": {"value": 0.75, "weight": 0.1, "points": 7.5},
    }
    assert row["explanation"]["params"]["expected_gap_days"] == 217.4
    assert row["explanation"]["params"]["silence_days"] == 120
    assert row["explanation"]["reciprocity_parts"] == {
        "travel": {"local": 1, "partner": 1, "index": 0.0},
        "contribution": {"local": 1, "partner": 1, "index": 0.0},
        "hosting": {"local": 1, "partner": 1, "index": 0.0},
    }


def test_silence_turns_the_partnership_at_risk() -> None:
    _record()
    figures = health_figures(
        partnerships=Partnership.objects.all(), public=False, as_of=dt.date(2026, 9, 1)
    )
    (row,) = figures.partnerships
    # At risk from 2024-09-03 + ceil(3 × 217.40) = 653 days; the MoU ended 2025-12-31 with
    # nothing after it, so the partnership has ended since the earlier of the two.
    assert (row["state"], row["warning_since"]) == ("ended", "2025-12-31")
    assert row["explanation"]["reason"] == "agreement_expired"


def test_public_figures_hold_no_internal_notes() -> None:
    _record()
    (row,) = health_figures(
        partnerships=Partnership.objects.all(), public=True, as_of=AS_OF
    ).as_dict()["partnerships"]
    assert row == {
        "slug": "smg-brisbane",
        "name": "Brisbane",
        "state": "active",
        "warning_since": None,
        "score": 80.5,
        "reciprocity": 0.0,
        "components": None,
        "explanation": None,
    }


def test_demo_activities_follow_the_filter() -> None:
    brisbane = _record()
    ActivityFactory.create(
        reference="D-1",
        partnership=brisbane,
        is_demo=True,
        start_date=dt.date(2024, 12, 20),
        end_date=dt.date(2024, 12, 20),
    )
    events, includes_demo = partnership_events([brisbane])
    assert (includes_demo, len(events[brisbane.pk])) == (True, 10)
    events, includes_demo = partnership_events([brisbane], demo=False)
    assert (includes_demo, len(events[brisbane.pk])) == (False, 9)
    events, includes_demo = partnership_events([brisbane], demo=True)
    assert (includes_demo, events[brisbane.pk][-1]) == (
        True,
        Event("activity", dt.date(2024, 12, 20)),
    )


def test_api_staff_and_anonymous(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda: AS_OF)
    _record()
    PartnershipFactory.create(slug="smg-hidden", partner_name="Hidden", is_public=False)
    anonymous = client.get("/api/v1/insights/health/", {"region": "33.74"})
    assert anonymous.status_code == 200
    assert anonymous.json() == {
        "region": "33.74",
        "as_of": "2025-01-01",
        "public": True,
        "includes_demo": False,
        "partnerships": [
            {
                "slug": "smg-brisbane",
                "name": "Brisbane",
                "state": "active",
                "warning_since": None,
                "score": 80.5,
                "reciprocity": 0.0,
                "components": None,
                "explanation": None,
            }
        ],
    }
    officer = UserFactory.create(
        role=Role.COOPERATION_OFFICER,
        organisation=Organisation.objects.get(slug="pemkot-semarang"),
    )
    client.force_login(officer)
    data = client.get("/api/v1/insights/health/", {"region": "33.74"}).json()
    assert data["public"] is False
    assert [(row["slug"], row["state"], row["score"]) for row in data["partnerships"]] == [
        ("smg-brisbane", "active", 80.5),
        ("smg-hidden", None, None),
    ]
    assert data["partnerships"][0]["explanation"]["reason"] == "recent_activity"


def test_api_refuses_an_unknown_region(client: Client) -> None:
    response = client.get("/api/v1/insights/health/", {"region": "99.99"})
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["region"]
