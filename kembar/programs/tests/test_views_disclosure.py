"""The staff activity pages hide small counts of people from those without the breakdown.

A partner counterpart sees their partnership's activities on the staff pages,
but not the exact participants (UU PDP 27/2022): the list and the activity
page give the same figures as the API (``test_api_disclosure``).  The recorded
Brisbane training has 5 local and 2 partner participants: 2 would be 7 − 5,
so both are hidden.
"""

# The fixtures of test_api are imported, and named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kembar.programs.models import Activity, Indicator, IndicatorPeriod
from kembar.programs.tests.test_api import recorded, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _client(world: dict[str, Any], who: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world["users"][who])
    return client


def _participants_column(html: str) -> dict[str, str]:
    """The participants cell of every row of the activity list, by reference."""
    rows = re.findall(r'<tr data-reference="([^"]+)">(.*?)</tr>', html, re.S)
    return {
        reference: re.findall(r'<td class="numeric">(.*?)</td>', row, re.S)[-1]
        for reference, row in rows
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("partner", {"SMG-BNE-2024-01": "not shown / not shown", "SMG-BNE-2023-01": "0 / 0"}),
        ("officer", {"SMG-BNE-2024-01": "5 / 2", "SMG-BNE-2023-01": "0 / 0"}),
    ],
)
def test_list_totals(
    world: dict[str, Any], recorded: Activity, who: str, expected: dict[str, str]
) -> None:
    response = _client(world, who).get("/staff/activities/?partnership=smg-brisbane")

    assert response.status_code == 200
    html = response.content.decode()
    assert _participants_column(html) == expected
    note = "Counts of fewer than 5 people are not shown"
    assert (note in html) is (who == "partner")


@pytest.fixture
def few(recorded: Activity) -> IndicatorPeriod:
    """A second people indicator of the training, with 3 people."""
    indicator = Indicator.objects.create(
        result=recorded.results.get(), title="Head teachers", unit="orang"
    )
    return IndicatorPeriod.objects.create(
        indicator=indicator,
        period_start=dt.date(2024, 3, 4),
        period_end=dt.date(2024, 3, 8),
        target=Decimal(4),
        actual=Decimal(3),
    )


def _actuals(html: str) -> dict[str, str]:
    """Caption → the Actual column of each indicator table of the activity page."""
    tables = re.findall(r"<caption>([^<(]+?) \(.*?</caption>(.*?)</table>", html, re.S)
    return {
        caption: re.findall(r'<td class="numeric">(.*?)</td>', body, re.S)[1]
        for caption, body in tables
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("partner", {"Teachers": "5", "Head teachers": "not shown"}),
        ("officer", {"Teachers": "5", "Head teachers": "3"}),
    ],
)
def test_people_indicator_values(
    world: dict[str, Any], few: IndicatorPeriod, who: str, expected: dict[str, str]
) -> None:
    response = _client(world, who).get("/staff/activities/SMG-BNE-2024-01/")

    assert response.status_code == 200
    assert _actuals(response.content.decode()) == expected


def test_api_hides_the_same_indicator_value(world: dict[str, Any], few: IndicatorPeriod) -> None:
    """The activity page and the API agree."""
    body = _client(world, "partner").get("/api/v1/activities/SMG-BNE-2024-01/").json()

    actuals = {
        indicator["title"]: indicator["periods"][0]["actual"]
        for indicator in body["results"][0]["indicators"]
    }
    assert actuals == {"Teachers": "5.0000", "Head teachers": None}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # The training's 5 local people are hidden from the counterpart: it does not
        # come first, which would tell them it had more than the mission's 0.
        ("partner", ["SMG-BNE-2023-01", "SMG-BNE-2024-01"]),
        ("officer", ["SMG-BNE-2024-01", "SMG-BNE-2023-01"]),
    ],
)
def test_sorting_by_participants_uses_only_counts_shown(
    world: dict[str, Any], recorded: Activity, who: str, expected: list[str]
) -> None:
    client = _client(world, who)

    api = client.get("/api/v1/activities/?partnership=smg-brisbane&ordering=participants")
    page = client.get("/staff/activities/?partnership=smg-brisbane&sort=participants")

    assert [item["reference"] for item in api.json()["results"]] == expected
    assert [activity.reference for activity in page.context["page"].object_list] == expected
