"""Participants of an activity: the breakdown for the region's staff, protected tables for others.

The recorded Brisbane training has 7 people: 5 local (3 government women from
Semarang Tengah, 2 academic men from outside the city) and 2 partner
academics (women), all 25–44; its indicator counts 5 teachers, 3 women and 2
men.
"""

# The fixtures of test_api are imported, and named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kembar.programs.models import Activity
from kembar.programs.tests.test_api import recorded, url, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _get(world: dict[str, Any], who: str, reference: str = "SMG-BNE-2024-01") -> dict[str, Any]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who != "anonymous":
        client.force_login(world["users"][who])
    response = client.get(url(reference))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _cells(summary: dict[str, Any], table: str) -> list[tuple[Any, Any]]:
    return [(cell["code"], cell["count"]) for cell in summary[table]]


PROTECTED = {
    "total": 7,
    "withheld": [],
    # 2 partner people would be 7 − 5: both sides go.
    "side": [("local", None), ("partner", None)],
    "gender": [("female", None), ("male", None)],
    "age_band": [("25-44", 7)],
    "group": [("government", None), ("academia", None)],
    "home_region": [("33.74.01", None), (None, None)],
}


@pytest.mark.parametrize("who", ["anonymous", "partner", "magelang"])
def test_others_get_protected_tables_only(
    world: dict[str, Any], recorded: Activity, who: str
) -> None:
    world["brisbane"].is_public = True
    world["brisbane"].save()
    body = _get(world, who)
    assert body["participants"] is None
    assert (body["participants_local"], body["participants_partner"]) == (None, None)
    summary = body["participant_summary"]
    assert {key: summary[key] for key in ("total", "withheld")} == {"total": 7, "withheld": []}
    for table in ("side", "gender", "age_band", "group", "home_region"):
        assert _cells(summary, table) == PROTECTED[table], table
    assert summary["home_region"][1]["name"] == "outside the city"
    assert all(cell["suppressed"] for cell in summary["gender"])
    [period] = body["results"][0]["indicators"][0]["periods"]
    assert period["actual"] == "5.0000"
    assert period["disaggregation"] == [
        {"dimension": "gender", "category": "female", "actual": None},
        {"dimension": "gender", "category": "male", "actual": None},
    ]


@pytest.mark.parametrize("who", ["officer", "council", "leadership", "administrator"])
def test_the_regions_staff_get_the_breakdown(
    world: dict[str, Any], recorded: Activity, who: str
) -> None:
    body = _get(world, who)
    assert len(body["participants"]) == 3
    assert (body["participants_local"], body["participants_partner"]) == (5, 2)
    summary = body["participant_summary"]
    assert summary["total"] == 7
    assert _cells(summary, "side") == [("local", 5), ("partner", 2)]
    assert _cells(summary, "home_region") == [("33.74.01", 3), (None, 4)]
    assert not any(cell["suppressed"] for cell in summary["gender"])
    [period] = body["results"][0]["indicators"][0]["periods"]
    assert [part["actual"] for part in period["disaggregation"]] == ["3.0000", "2.0000"]


def test_a_total_under_five_withholds_every_table(
    world: dict[str, Any], recorded: Activity
) -> None:
    world["brisbane"].is_public = True
    world["brisbane"].save()
    recorded.participant_counts.exclude(group="government").delete()
    Activity.objects.filter(pk=recorded.pk).update(participants_local=3, participants_partner=0)
    period = recorded.results.get().indicators.get().periods.get()
    period.actual = 3
    period.save()
    period.disaggregations.filter(category="male").delete()
    period.disaggregations.update(actual=3)
    body = _get(world, "anonymous")
    summary = body["participant_summary"]
    assert summary["total"] is None
    assert summary["withheld"] == ["age_band", "gender", "group", "home_region", "side", "source"]
    assert all(summary[table] == [] for table in summary["withheld"])
    assert (body["participants_local"], body["participants_partner"]) == (None, None)
    [period_data] = body["results"][0]["indicators"][0]["periods"]
    assert (period_data["actual"], period_data["disaggregation"]) == (None, [])


def test_the_list_protects_every_activity(world: dict[str, Any], recorded: Activity) -> None:
    world["brisbane"].is_public = True
    world["brisbane"].save()
    response = Client().get("/api/v1/activities/", {"partnership": "smg-brisbane"})
    items = {item["reference"]: item for item in response.json()["results"]}
    summary = items["SMG-BNE-2024-01"]["participant_summary"]
    assert _cells(summary, "side") == PROTECTED["side"]
    assert all(item["participants"] is None for item in items.values())


@pytest.mark.parametrize(("who", "breakdown"), [("partner", False), ("officer", True)])
def test_the_staff_page_shows_the_breakdown_to_the_regions_staff_only(
    world: dict[str, Any], recorded: Activity, who: str, breakdown: bool
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["users"][who])
    page = client.get("/staff/activities/SMG-BNE-2024-01/")
    assert page.status_code == 200
    assert page.context["can_see_breakdown"] is breakdown
    html = page.content.decode()
    assert ('id="participant-summary"' in html) is not breakdown
    assert ('id="participant-margins"' in html) is not breakdown
    if not breakdown:
        summary = page.context["participant_summary"]
        assert _cells(summary, "side") == PROTECTED["side"]
