"""The activity services refuse invisible characters in texts, naming the field."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from kembar.programs.activities import (
    ActivityData,
    BudgetRow,
    ContributionRow,
    TravellerRow,
    activity_budget_set,
    activity_contributions_set,
    activity_save,
    trip_report_save,
)
from kembar.programs.models import Activity
from kembar.programs.tests.test_activities import base, officer, orgs, problems, rows_30_2

__all__ = ["base", "officer", "orgs"]  # fixtures, imported for these tests

pytestmark = pytest.mark.django_db


def refused(field: str, code: str, position: int) -> str:
    return (
        f"{field} contains an invisible character that is not allowed (U+{code}) at position "
        f"{position}; delete it or type the text again."
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title_id": "Pelatihan\x00"}, {"title_id": [refused("title_id", "0000", 10)]}),
        ({"title_en": "Training\u202e\x1b"}, {"title_en": [refused("title_en", "001B", 10)]}),
        (
            {"title_en": "Two\nlines"},
            {
                "title_en": [
                    "title_en must be one line: remove the line break or tab at position 4."
                ]
            },
        ),
        (
            {"description_id": "ok\n\x7f"},
            {"description_id": [refused("description_id", "007F", 4)]},
        ),
    ],
)
def test_activity_texts_are_checked(
    base: ActivityData, officer: Any, change: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    data = dataclasses.replace(base, **change)
    found = problems(lambda: activity_save(actor=officer, data=data, participants=rows_30_2()))

    assert found == expected
    assert Activity.objects.count() == 0


def test_a_line_break_in_a_description_is_kept(base: ActivityData, officer: Any) -> None:
    data = dataclasses.replace(base, description_id="Baris satu\r\nbaris dua")

    activity, _changed = activity_save(actor=officer, data=data, participants=rows_30_2())

    assert activity.description_id == "Baris satu\r\nbaris dua"


def test_money_rows_and_trip_reports_are_checked(base: ActivityData, officer: Any) -> None:
    activity, _changed = activity_save(actor=officer, data=base, participants=rows_30_2())

    budget = problems(
        lambda: activity_budget_set(
            actor=officer,
            activity=activity,
            rows=[BudgetRow("apbd", "budget", Decimal(1), note="konsumsi\x0c")],
        )
    )
    contributions = problems(
        lambda: activity_contributions_set(
            actor=officer,
            activity=activity,
            rows=[ContributionRow("partner", "expertise", "Pelatih\ud800")],
        )
    )
    visit, _changed = activity_save(
        actor=officer,
        data=dataclasses.replace(
            base,
            reference="SMG-BNE-2024-02",
            kind="exchange_outbound",
            in_partner_city=True,
            place_region=None,
            participants_local=0,
            participants_partner=0,
        ),
    )
    trip = problems(
        lambda: trip_report_save(
            actor=officer,
            activity=visit,
            purpose="Kunjungan\x08",
            outputs="MoU",
            days=3,
            cost_idr=Decimal(1),
            travellers=[TravellerRow("Kepala\tDinas", "Dinas Pendidikan")],
        )
    )

    assert budget == {"note": ["Row 1: " + refused("note", "000C", 9)]}
    assert contributions == {"description": ["Row 1: " + refused("description", "D800", 8)]}
    assert trip == {
        "purpose": [refused("purpose", "0008", 10)],
        "travellers": ["role must be one line: remove the line break or tab at position 7."],
    }
