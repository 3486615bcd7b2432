"""The spreadsheet works on the counts officers typed; those of registrations checked in stay.

The training ``REF`` of ``test_spreadsheet.full_sheets`` has 30 local people
typed (20 women from Semarang Tengah, 10 men from Semarang Utara) and 5
partner people; 3 young women from Semarang Tengah are counted from
registrations checked in (:func:`register`).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import F
from django.utils import translation
from openpyxl import load_workbook

from kembar.programs import spreadsheet_apply
from kembar.programs.models import (
    Activity,
    CountSource,
    ImportBatch,
    ParticipantCount,
    ParticipantRollup,
    ReachDimension,
)
from kembar.programs.rollup import activity_rollup_key, rollup_differences, rollup_refresh
from kembar.programs.spreadsheet import activity_export, activity_import
from kembar.programs.tests.test_import_commands import meddle, three_activities
from kembar.programs.tests.test_spreadsheet import (
    REF,
    World,
    counts,
    full_sheets,
    upload,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def register(reference: str, people: int) -> None:
    """Count ``people`` young women of Semarang Tengah checked in, as the check-in does."""
    activity = Activity.objects.get(reference=reference)
    ParticipantCount.objects.create(
        activity=activity,
        source=CountSource.REGISTRATIONS,
        side="local",
        group="students_youth",
        gender="female",
        age_band="15-24",
        home_region_id="33.74.01",
        count=people,
    )
    Activity.objects.filter(pk=activity.pk).update(
        participants_registered=F("participants_registered") + people
    )
    rollup_refresh([activity_rollup_key(activity)])


def registered() -> list[tuple[Any, ...]]:
    return list(
        ParticipantCount.objects.filter(source=CountSource.REGISTRATIONS)
        .order_by("pk")
        .values_list("pk", "activity__reference", "count", "activity__participants_registered")
    )


def women_reached(year: int) -> int | None:
    row = ParticipantRollup.objects.filter(
        year=year, dimension=ReachDimension.GENDER, category="female"
    ).first()
    return row.participants if row else None


def test_the_export_holds_the_typed_counts_and_round_trips(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    register(REF, 3)
    before = registered()

    exported = activity_export(user=world.officer)
    report = upload(world.officer, exported)

    sheet = load_workbook(io.BytesIO(exported))["Peserta"]
    counted = sorted(row[-1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0])
    assert counted == [5, 10, 20]
    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.UNCHANGED
    assert report.counts == counts(
        activities={"unchanged": 2},
        participants={"unchanged": 3},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert registered() == before


def test_a_new_breakdown_replaces_the_typed_counts_only(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    register(REF, 3)
    before = registered()
    sheets = full_sheets()
    sheets["Kegiatan"][0]["participants_local"] = 20
    sheets["Peserta"] = [sheets["Peserta"][0], sheets["Peserta"][2]]

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.outcome == ImportBatch.Outcome.APPLIED, report.problems
    assert report.counts["participants"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "removed": 1,
    }
    assert registered() == before
    assert rollup_differences() == []
    assert women_reached(2024) == 20 + 3


def test_rows_only_are_checked_against_the_typed_totals(world: World) -> None:
    """Rows without their activity's row: checked against the totals typed in Kembar."""
    upload(world.officer, workbook(world.officer, full_sheets()))
    register(REF, 3)
    first, second, third = full_sheets()["Peserta"]

    report = upload(world.officer, workbook(world.officer, {"Peserta": [first, second, third]}))

    assert report.problems == []
    assert report.outcome == ImportBatch.Outcome.UNCHANGED


def test_a_new_year_moves_the_registered_people_in_the_reach_summary(world: World) -> None:
    upload(world.officer, workbook(world.officer, full_sheets()))
    register(REF, 3)
    sheets = full_sheets()
    sheets["Kegiatan"][0].update(start_date=dt.date(2025, 3, 4), end_date=dt.date(2025, 3, 8))

    report = upload(world.officer, workbook(world.officer, sheets))

    assert report.outcome == ImportBatch.Outcome.APPLIED, report.problems
    assert rollup_differences() == []
    assert (women_reached(2024), women_reached(2025)) == (None, 23)


def test_an_undone_import_keeps_what_check_ins_counted_meanwhile(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))
    upload(world.officer, workbook(world.officer, three_activities()))
    changed = workbook(world.officer, three_activities(title_en="Changed by the file"))
    someone_else = meddle(world, "SMG-C")

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "applying" and not ParticipantCount.objects.exists():
            register("SMG-A", 4)  # checked in while SMG-A's first chunk stands applied
        someone_else(stage, done, total)

    with translation.override("en"):
        report = activity_import(
            actor=world.officer, filename="2.xlsx", content=changed, progress=progress
        )

    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert Activity.objects.get(reference="SMG-A").title_en == "English teacher training"
    assert registered() == [(registered()[0][0], "SMG-A", 4, 4)]
    assert rollup_differences() == []
