"""Hostile workbooks: rows declared but absent, zip bombs, long cells, invisible characters.

Also: every refused upload is logged with its reason.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from kembar.programs.models import Activity, ImportBatch
from kembar.programs.spreadsheet import COLUMNS
from kembar.programs.spreadsheet_limits import sheet_rows
from kembar.programs.spreadsheet_xlsx import xlsx_open
from kembar.programs.tests.test_spreadsheet import (
    NOT_A_TEMPLATE,
    REF,
    World,
    activity_row,
    full_sheets,
    located,
    upload,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db

BOMB = "xl/media/bomb.bin"
DAMAGED = (
    "The workbook is damaged: a part of it cannot be unpacked.",
    "Open the file in your spreadsheet program, save it again and upload it.",
)


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook ``content`` with one more (deflated) part."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(name, data)
    return out.getvalue()


def declaring(content: bytes, name: str, size: int) -> bytes:
    """``content`` whose part ``name`` declares ``size`` unpacked bytes (a lie)."""
    data = bytearray(content)
    encoded = name.encode()
    # (signature, offset of the unpacked size, of the name's length, of the name)
    headers = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))
    for signature, size_at, length_at, name_at in headers:
        position = data.find(signature)
        while position != -1:
            (length,) = struct.unpack_from("<H", data, position + length_at)
            if data[position + name_at : position + name_at + length] == encoded:
                struct.pack_into("<I", data, position + size_at, size)
            position = data.find(signature, position + 4)
    return bytes(data)


# --- Rows: what the sheet holds, not what it declares ---------------------------------------


def with_far_row(content: bytes, column: str, value: str, *, row: int = 30_000_000) -> bytes:
    """The workbook with one more cell on Kegiatan, in a row no spreadsheet program allows.

    Written into the sheet's XML, as a hostile file would be, with the
    dimension declaring all the rows up to it.
    """
    sheet = "xl/worksheets/sheet2.xml"  # Petunjuk is sheet1, Kegiatan sheet2
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == sheet:
                text = data.decode()
                assert 'name="Kegiatan"' in source.read("xl/workbook.xml").decode()
                text = re.sub(
                    r'<dimension ref="A1:([A-Z]+)\d+"', rf'<dimension ref="A1:\g<1>{row}"', text
                )
                far = (
                    f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is>'
                    "</c></row></sheetData>"
                )
                data = text.replace("</sheetData>", far).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_sheet_declaring_thirty_million_rows_is_read_as_it_is(world: World) -> None:
    content = with_far_row(activity_template_bytes(world), "A", "SMG-FAR")
    assert b"A1:U30000000" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet2.xml")

    started = time.monotonic()
    report = upload(world.officer, content)
    elapsed = time.monotonic() - started

    # openpyxl's iter_rows would fill thirty million empty rows (minutes, gigabytes).
    assert elapsed < 30
    rows = {(sheet, row) for sheet, row, *_rest in located(report.problems)}
    assert rows == {("Kegiatan", 30_000_000)}
    assert report.outcome == ImportBatch.Outcome.REFUSED


def test_sheet_rows_yields_only_the_rows_the_sheet_holds(world: World) -> None:
    content = with_far_row(activity_template_bytes(world), "B", "far")
    read = xlsx_open(content)

    rows = list(sheet_rows(read, "Kegiatan", columns=2))

    assert [number for number, _values in rows] == [1, 2, 3, 30_000_000]
    assert rows[0][1] == ("reference", "partnership")
    assert rows[-1][1] == (None, "far")


def test_rows_over_the_limit_are_refused(world: World, settings: Any) -> None:
    settings.KEMBAR_IMPORT_MAX_ROWS = 2

    report = upload(world.officer, workbook(world.officer, full_sheets()))

    assert [(p.sheet, p.message, p.fix) for p in report.problems] == [
        (
            "Peserta",
            "The sheet Peserta has more than 2 rows.",
            "Split the rows over several files and upload them one after the other.",
        )
    ]
    assert Activity.objects.count() == 0


def test_empty_rows_count_towards_the_rows_read(world: World, settings: Any) -> None:
    settings.KEMBAR_IMPORT_MAX_SCANNED_ROWS = 10
    book = load_workbook(io.BytesIO(workbook(world.officer, {"Kegiatan": [activity_row()]})))
    for number in range(4, 30):
        book["Kegiatan"].cell(row=number, column=1).font = Font(bold=True)  # styled, empty

    report = upload(world.officer, saved(book))

    assert [(p.sheet, p.message) for p in report.problems] == [
        ("Kegiatan", "The sheet Kegiatan has more than 10 rows, counting the empty ones.")
    ]


def test_a_csv_of_empty_lines_is_refused_without_reading_it_all(
    world: World, settings: Any
) -> None:
    settings.KEMBAR_IMPORT_MAX_SCANNED_ROWS = 10
    keys = ",".join(column.key for column in COLUMNS["Kegiatan"])

    report = upload(world.officer, (keys + "\n" + keys + "\n" + "\n" * 1000).encode())

    assert [(p.message, p.fix) for p in report.problems] == [
        (
            "The file has more than 13 lines.",
            "Delete the empty lines at its end, or split the rows over several files.",
        )
    ]


# --- The zip: unpacked size, ratio, sizes that lie ------------------------------------------


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(world: World, settings: Any) -> None:
    settings.KEMBAR_IMPORT_MAX_UNCOMPRESSED_BYTES = 2**20
    content = with_member(activity_template_bytes(world), BOMB, bytes(3 * 2**20))

    report = upload(world.officer, content)

    assert [(p.message, p.fix) for p in report.problems] == [
        (
            "The workbook unpacks to 3 MB, more than the limit of 1 MB (a workbook is a "
            "packed file).",
            "Remove pictures, formatting of whole rows or columns and sheets you added, or "
            "split the rows over several files.",
        )
    ]
    batch = ImportBatch.objects.get()
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    assert batch.reason.startswith("The workbook unpacks to 3 MB")


def test_a_zip_bomb_is_refused_by_its_ratio(world: World) -> None:
    content = with_member(activity_template_bytes(world), BOMB, bytes(8 * 2**20))
    assert len(content) < 200_000

    report = upload(world.officer, content)

    assert [(p.message, p.fix) for p in report.problems] == [
        (
            f"The part {BOMB} of the workbook is packed more than 200 times smaller than it "
            "is; Kembar does not open such files.",
            "Open the file in your spreadsheet program, save it again and upload it.",
        )
    ]


def test_a_part_that_lies_about_its_size_is_refused(world: World) -> None:
    content = with_member(activity_template_bytes(world), BOMB, b"x" * 5000)

    report = upload(world.officer, declaring(content, BOMB, 10))

    assert [(p.message, p.fix) for p in report.problems] == [DAMAGED]


def activity_template_bytes(world: World) -> bytes:
    row = activity_row(participants_local=0, participants_partner=0)
    return workbook(world.officer, {"Kegiatan": [row]})


# --- Cells: length and characters -----------------------------------------------------------


def test_a_cell_over_the_length_limit_refuses_its_row(world: World, settings: Any) -> None:
    settings.KEMBAR_IMPORT_MAX_CELL_CHARS = 40
    sheets = full_sheets()
    sheets["Kegiatan"][0]["title_id"] = "x" * 50
    content = workbook(world.officer, sheets)

    report = upload(world.officer, content)

    assert located(report.problems) == [
        (
            "Kegiatan",
            3,
            "title_id",
            "D",
            "The cell holds 50 characters, more than the limit of 40.",
        )
    ]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"title_id": "Pelatihan\x85guru"},
            [
                (
                    "Kegiatan",
                    3,
                    "title_id",
                    "D",
                    "Title (Indonesian) contains an invisible character that is not allowed "
                    "(U+0085) at position 10; delete it or type the text again.",
                )
            ],
        ),
        (
            {"title_id": "Pelatihan\nguru"},
            [
                (
                    "Kegiatan",
                    3,
                    "title_id",
                    "D",
                    "Title (Indonesian) must be one line: remove the line break or tab at "
                    "position 10.",
                )
            ],
        ),
        ({"description_id": "Baris satu\nbaris dua"}, []),
    ],
)
def test_invisible_characters_are_refused_where_they_are(
    world: World, changes: dict[str, str], expected: list[Any]
) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0].update(changes)

    report = upload(world.officer, workbook(world.officer, sheets))

    assert located(report.problems) == expected


# --- The upload log -------------------------------------------------------------------------


def test_a_file_that_is_not_a_spreadsheet_is_logged_with_its_reason(world: World) -> None:
    upload(world.officer, b"name,age\nSiti,32\n")

    batch = ImportBatch.objects.get()
    assert (batch.outcome, batch.problem_count, batch.reason) == (
        ImportBatch.Outcome.REFUSED,
        1,
        " ".join(NOT_A_TEMPLATE),
    )


def test_bad_rows_are_logged_with_their_places(world: World) -> None:
    sheets = full_sheets()
    sheets["Kegiatan"][0]["sector"] = 99

    upload(world.officer, workbook(world.officer, sheets))

    batch = ImportBatch.objects.get()
    assert batch.outcome == ImportBatch.Outcome.REFUSED
    assert batch.reason.splitlines()[0] == (
        "Kegiatan!O3: “99” is not a code of the list Sector (Input-Output table). "
        "Choose a value from the dropdown list; the sheet Kode says what each code means."
    )
    assert batch.problem_count == len(batch.reason.splitlines())


def test_an_applied_upload_has_no_reason(world: World) -> None:
    report = upload(world.officer, workbook(world.officer, full_sheets()))

    assert report.batch is not None
    assert (report.batch.outcome, report.batch.reason) == (ImportBatch.Outcome.APPLIED, "")
    assert REF in report.applied_references


def test_a_chart_where_a_sheet_belongs_is_refused_not_a_crash(world: World) -> None:
    book = Workbook()
    for name in ("Kegiatan", "Peserta", "Anggaran", "Kontribusi", "Hasil"):
        if name == "Kegiatan":
            book.create_chartsheet(name)
        else:
            book.create_sheet(name)

    report = upload(world.officer, saved(book))

    assert [(p.message, p.fix) for p in report.problems] == [NOT_A_TEMPLATE]
    assert ImportBatch.objects.get().reason == " ".join(NOT_A_TEMPLATE)
