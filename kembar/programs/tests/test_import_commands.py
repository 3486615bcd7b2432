"""The command-line contracts of issue 12 and the bulk import behind them.

``generate_demo --activities``, ``export_activities``, ``import_activities``;
export → delete → import gives the same records; a chunk refused late undoes
the chunks before it; progress is reported.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory
from kembar.programs import spreadsheet_apply
from kembar.programs.activities import ActivityData, activity_delete, activity_save
from kembar.programs.demo import activity_digest, demo_remove
from kembar.programs.models import Activity, ImportBatch, ParticipantCount, ParticipantRollup
from kembar.programs.rollup import rollup_differences
from kembar.programs.spreadsheet import activity_export, activity_import
from kembar.programs.tests.test_spreadsheet import (
    REF,
    REF2,
    World,
    activity_row,
    counts,
    full_sheets,
    table_counts,
    workbook,
    world,
)

pytestmark = pytest.mark.django_db
#: Fixtures of test_spreadsheet that the tests here take by name.
FIXTURES = (world,)


def run(*args: str) -> tuple[int, str]:
    """Run a command as from the shell: its exit status and what it printed."""
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def history_count() -> int:
    return sum(value for key, value in table_counts().items() if key.startswith("history"))


# --- import_activities and export_activities on a small world ---------------------------------


def test_import_prints_exactly_the_json_for_one_bad_row(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kegiatan.xlsx"
    path.write_bytes(
        workbook(world.officer, {"Kegiatan": [activity_row(start_date="next week")]})
    )

    with translation.override("en"):
        status, out = run(
            "import_activities", str(path), "--format", "json", "--user", world.officer.username
        )

    assert status == 1
    assert json.loads(out) == {
        "rows": 1,
        "applied": 0,
        "unchanged": 0,
        "errors": [
            {
                "sheet": "Kegiatan",
                "row": 3,
                "column": "start_date",
                "message": "“next week” is not a date. Enter a date, or write it as YYYY-MM-DD, "
                "e.g. 2024-03-04.",
            }
        ],
    }
    assert list(out.splitlines()) == [out.strip()]
    assert Activity.objects.count() == 0
    assert ImportBatch.objects.get().outcome == ImportBatch.Outcome.REFUSED


def test_import_then_again_by_values(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kegiatan.xlsx"
    path.write_bytes(workbook(world.officer, full_sheets()))
    user = world.officer.username

    first = run("import_activities", str(path), "--format", "json", "--user", user)
    before = table_counts()
    # The same file again is read by its values (not recognised by its SHA-256): all unchanged.
    again = run("import_activities", str(path), "--format", "json", "--user", user)

    # 2 activities, 3 participant rows, 2 budget lines, 1 contribution, 1 result period.
    assert first == (0, json.dumps({"rows": 9, "applied": 9, "unchanged": 0, "errors": []}) + "\n")
    assert again == (0, json.dumps({"rows": 9, "applied": 0, "unchanged": 9, "errors": []}) + "\n")
    assert table_counts() == before
    assert rollup_differences() == []


def test_import_text_summary_and_the_default_administrator(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "kegiatan.xlsx"
    path.write_bytes(workbook(world.officer, full_sheets()))
    admin = UserFactory.create(role=Role.ADMINISTRATOR, username="admin-1")

    with translation.override("en"):
        status, out = run("import_activities", str(path))

    assert (status, out) == (0, "9 rows read: 9 applied, 0 unchanged, 0 problems.\n")
    assert set(Activity.objects.values_list("created_by", flat=True)) == {admin.pk}


def test_import_without_an_administrator_says_what_to_do(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kegiatan.xlsx"
    path.write_bytes(b"reference\n")

    with translation.override("en"), pytest.raises(Exception, match="no active administrator"):
        call_command("import_activities", str(path))


def test_export_delete_import_gives_the_same_records(world: World, tmp_path: Path) -> None:
    content = workbook(world.officer, full_sheets())
    activity_import(actor=world.officer, filename="a.xlsx", content=content)
    digest = activity_digest(demo=False)
    out = tmp_path / "export.xlsx"

    assert run("export_activities", "--out", str(out))[0] == 0
    for activity in Activity.objects.all():
        activity_delete(actor=world.officer, activity=activity)
    assert activity_digest(demo=False) != digest
    status, printed = run(
        "import_activities", str(out), "--format", "json", "--user", world.officer.username
    )

    assert (status, json.loads(printed)["errors"]) == (0, [])
    assert activity_digest(demo=False) == digest
    assert rollup_differences() == []


def test_export_for_a_user_and_a_partnership(world: World, tmp_path: Path) -> None:
    activity_import(
        actor=world.officer, filename="a.xlsx", content=workbook(world.officer, full_sheets())
    )
    out = tmp_path / "export.xlsx"

    status, _printed = run(
        "export_activities",
        "--out",
        str(out),
        "--partnership",
        "smg-brisbane",
        "--user",
        world.agency_officer.username,
    )

    assert status == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    report = activity_import(
        actor=world.officer, filename="b.xlsx", content=out.read_bytes(), trust_digest=False
    )
    assert report.counts == counts(
        activities={"unchanged": 2},
        participants={"unchanged": 3},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )


# --- Chunks, undo, progress ------------------------------------------------------------------


def three_activities(**changes: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "Kegiatan": [
            activity_row(
                reference,
                participants_local=0,
                participants_partner=0,
                **changes,
            )
            for reference in ("SMG-A", "SMG-B", "SMG-C")
        ]
    }


def meddle(world: World, reference: str) -> Callable[[str, int, int], None]:
    """A progress callback: someone changes ``reference`` once the first chunk is applied."""

    calls: list[int] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "applying":
            calls.append(done)
        if len(calls) == 1 and stage == "applying":
            activity = Activity.objects.get(reference=reference)
            activity_save(
                actor=world.officer,
                data=ActivityData(
                    reference=activity.reference,
                    partnership=activity.partnership,
                    kind=activity.kind,
                    title_id="Changed meanwhile",
                    agency=activity.agency,
                    start_date=activity.start_date,
                    end_date=activity.end_date,
                    sector=activity.sector,
                    government_affair=activity.government_affair,
                    status=activity.status,
                    place_region=activity.place_region,
                    sdg_goals=list(activity.sdg_goals.all()),
                    sdg_targets=list(activity.sdg_targets.all()),
                    focus_areas=list(activity.focus_areas.all()),
                ),
            )

    return progress


def test_a_chunk_refused_late_undoes_the_chunks_before(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))
    first = workbook(world.officer, three_activities())
    activity_import(actor=world.officer, filename="1.xlsx", content=first)
    before = table_counts()
    digest = activity_digest(demo=False)
    changed = workbook(world.officer, three_activities(title_en="Changed by the file"))

    with translation.override("en"):
        report = activity_import(
            actor=world.officer,
            filename="2.xlsx",
            content=changed,
            progress=meddle(world, "SMG-C"),
        )

    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Kegiatan",
            5,
            "reference",
            "The activity SMG-C was changed by someone else while the file was being applied.",
        )
    ]
    assert report.applied_references == []
    # SMG-A and SMG-B are as they were, history included; SMG-C has the other person's change.
    assert list(Activity.objects.order_by("reference").values_list("title_id", "title_en")) == [
        ("Pelatihan guru bahasa Inggris", "English teacher training"),
        ("Pelatihan guru bahasa Inggris", "English teacher training"),
        ("Changed meanwhile", ""),
    ]
    assert list(Activity.objects.order_by("reference").values_list("version", flat=True)) == [
        1,
        1,
        2,
    ]
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "history Activity"} == {
        k: v for k, v in before.items() if k != "history Activity"
    }
    # The history has the first import and the other person's change, not the undone import.
    assert Activity.history.filter(reference__in=["SMG-A", "SMG-B"]).count() == 2
    assert not Activity.history.filter(history_type="~", history_change_reason="imported").exists()
    assert activity_digest(demo=False) != digest  # SMG-C's title only
    assert rollup_differences() == []


def test_a_chunk_refused_late_undoes_created_activities(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))
    sheets = full_sheets()
    sheets["Kegiatan"].append(activity_row("SMG-C", participants_local=0, participants_partner=0))
    existing = workbook(world.officer, {"Kegiatan": sheets["Kegiatan"][2:]})
    activity_import(actor=world.officer, filename="1.xlsx", content=existing)
    before = table_counts()

    report = activity_import(
        actor=world.officer,
        filename="2.xlsx",
        content=workbook(world.officer, sheets),
        progress=meddle(world, "SMG-C"),
    )

    assert report.outcome == ImportBatch.Outcome.REFUSED
    assert list(Activity.objects.values_list("reference", flat=True)) == ["SMG-C"]
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "history Activity"} == {
        k: v for k, v in before.items() if k != "history Activity"
    }
    assert not Activity.history.filter(reference__in=[REF, REF2]).exists()
    assert ParticipantRollup.objects.count() == 0
    assert rollup_differences() == []


def test_with_apply_valid_a_refused_activity_is_left_out(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))
    activity_import(
        actor=world.officer, filename="1.xlsx", content=workbook(world.officer, three_activities())
    )
    changed = workbook(world.officer, three_activities(title_en="Changed by the file"))

    report = activity_import(
        actor=world.officer,
        filename="2.xlsx",
        content=changed,
        apply_valid=True,
        progress=meddle(world, "SMG-C"),
    )

    assert report.outcome == ImportBatch.Outcome.PARTLY_APPLIED
    assert (report.applied_references, report.rejected_references) == (
        ["SMG-A", "SMG-B"],
        ["SMG-C"],
    )
    assert list(Activity.objects.order_by("reference").values_list("title_en", "version")) == [
        ("Changed by the file", 2),
        ("Changed by the file", 2),
        ("", 2),
    ]


def test_progress_is_reported_while_checking_and_applying(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet_apply, "CHUNK", 1)
    monkeypatch.setattr(spreadsheet_apply, "CHUNK_RANGE", (1, 1))
    calls: list[tuple[str, int, int]] = []

    activity_import(
        actor=world.officer,
        filename="1.xlsx",
        content=workbook(world.officer, full_sheets()),
        progress=lambda *call: calls.append(call),
    )

    # 9 rows: REF has 8 (1 + 3 participants + 2 budget + 1 contribution + 1 result), REF2 1.
    assert calls == [("checking", 9, 9), ("applying", 8, 9), ("applying", 9, 9)]


def test_unchanged_rows_write_nothing_and_changed_ones_one_version(world: World) -> None:
    content = workbook(world.officer, full_sheets())
    activity_import(actor=world.officer, filename="1.xlsx", content=content)
    assert list(Activity.objects.order_by("reference").values_list("version", flat=True)) == [
        1,
        1,
    ]
    histories = history_count()
    sheets = full_sheets()
    sheets["Peserta"][0]["count"] = 19
    sheets["Peserta"].append({**sheets["Peserta"][0], "gender": "unspecified", "count": 1})

    report = activity_import(
        actor=world.officer, filename="2.xlsx", content=workbook(world.officer, sheets)
    )

    assert report.counts == counts(
        activities={"updated": 1, "unchanged": 1},
        participants={"created": 1, "updated": 1, "unchanged": 2},
        budget_lines={"unchanged": 2},
        contributions={"unchanged": 1},
        results={"unchanged": 1},
    )
    assert list(Activity.objects.order_by("reference").values_list("version", flat=True)) == [
        2,
        1,
    ]
    # One record for the activity, one for the corrected count, one for the new one.
    assert history_count() == histories + 3
    assert sorted(ParticipantCount.objects.values_list("gender", "count")) == [
        ("female", 5),
        ("female", 19),
        ("male", 10),
        ("unspecified", 1),
    ]
    assert rollup_differences() == []
    latest = Activity.history.filter(reference=REF).latest()
    assert (latest.history_user, latest.history_change_reason, latest.version) == (
        world.officer,
        "imported",
        2,
    )
    assert sorted(latest.sdg_goals.values_list("sdggoal_id", flat=True)) == [4, 17]
    assert Activity.objects.get(reference=REF2).version == 1


# --- On the shipped reference data: generate_demo and the demo round trip ---------------------


@pytest.mark.slow
def test_generate_demo_scales_and_round_trips(reference_db: None, tmp_path: Path) -> None:
    status, _out = run("generate_demo", "--seed", "1", "--activities", "30")
    assert status == 0
    demo = Activity.objects.filter(is_demo=True)
    assert demo.count() == Activity.objects.count() == 30
    assert not demo.exclude(reference__startswith="DEMO-").exists()
    assert not demo.exclude(title_id__startswith="[DEMO] ").exists()
    digest = activity_digest(demo=True)
    run("generate_demo", "--seed", "1", "--activities", "30")
    assert activity_digest(demo=True) == digest
    admin = UserFactory.create(role=Role.ADMINISTRATOR)
    path = tmp_path / "demo.xlsx"

    assert run("export_activities", "--out", str(path), "--demo")[0] == 0
    demo_remove()
    assert Activity.objects.count() == 0
    status, printed = run(
        "import_activities", str(path), "--demo", "--format", "json", "--user", admin.username
    )

    summary = json.loads(printed)
    assert (status, summary["errors"], summary["unchanged"]) == (0, [], 0)
    assert summary["rows"] == summary["applied"] > 30
    assert activity_digest(demo=True) == digest
    assert Activity.objects.filter(is_demo=False).count() == 0
    assert run("reach_rollup", "--check")[0] == 0
    status, printed = run(
        "import_activities", str(path), "--demo", "--format", "json", "--user", admin.username
    )
    assert json.loads(printed) == {
        "rows": summary["rows"],
        "applied": 0,
        "unchanged": summary["applied"],
        "errors": [],
    }


def test_a_real_activity_cannot_be_imported_as_a_demonstration(world: World) -> None:
    with translation.override("en"):
        report = activity_import(
            actor=UserFactory.create(role=Role.ADMINISTRATOR),
            filename="1.xlsx",
            content=workbook(world.officer, {"Kegiatan": [activity_row()]}),
            demo=True,
        )

    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (3, "reference", "The reference of a demonstration record starts with DEMO-.")
    ]
    assert activity_export(user=None, demo=True)[:2] == b"PK"


def test_import_refuses_a_file_over_the_limit_without_reading_it(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2**20 + 1))

    with translation.override("en"):
        status, out = run(
            "import_activities", str(path), "--format", "json", "--user", world.officer.username
        )

    assert (status, json.loads(out)) == (
        1,
        {
            "rows": 0,
            "applied": 0,
            "unchanged": 0,
            "errors": [
                {
                    "sheet": "",
                    "row": 0,
                    "column": "",
                    "message": "The file is larger than the limit of 1 MB. Split the rows over "
                    "several files and upload them one after the other.",
                }
            ],
        },
    )
