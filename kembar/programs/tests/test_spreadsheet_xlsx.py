"""The streaming reader of uploaded workbooks gives what openpyxl gives, and survives hostile files.

openpyxl in read-only mode with ``data_only`` is the reference: for the
upload template, the export and workbooks with every kind of cell, the
reader must yield the same values of the same types in the same places.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from kembar.programs.models import Activity
from kembar.programs.spreadsheet import activity_export, activity_template_build
from kembar.programs.spreadsheet_xlsx import Unreadable, xlsx_open
from kembar.programs.tests.test_spreadsheet import (
    NOT_A_TEMPLATE,
    World,
    activity_row,
    full_sheets,
    upload,
    workbook,
    world,
)

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
COLUMNS = 60


def naive(year: int, month: int, day: int, hour: int = 0, minute: int = 0, s: int = 0) -> datetime:
    """A date and time as a spreadsheet holds it: no time zone."""
    return datetime(year, month, day, hour, minute, s)  # noqa: DTZ001 - no zone, as in a sheet


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replaced(content: bytes, parts: dict[str, bytes | None]) -> bytes:
    """``content`` with the members ``parts`` replaced, added, or removed (None)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item))
        for name, data in parts.items():
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def with_shared_strings(content: bytes, strings: bytes) -> bytes:
    """``content`` with the shared strings ``strings``, declared as Excel declares them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        rels = archive.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>",
            b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>",
        )
    return replaced(
        content,
        {
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": strings,
        },
    )


def by_openpyxl(content: bytes) -> dict[str, dict[tuple[int, int], tuple[type, Any]]]:
    """Every value openpyxl (read-only, data_only) gives, by sheet and (row, column), typed."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    found: dict[str, dict[tuple[int, int], tuple[type, Any]]] = {}
    for sheet in book.worksheets:
        cells = found[sheet.title] = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and cell.column <= COLUMNS:
                    cells[(cell.row, cell.column)] = (type(cell.value), cell.value)
    book.close()
    return found


def by_reader(content: bytes) -> dict[str, dict[tuple[int, int], tuple[type, Any]]]:
    book = xlsx_open(content)
    found: dict[str, dict[tuple[int, int], tuple[type, Any]]] = {}
    try:
        for name in book.sheetnames:
            cells = found[name] = {}
            for number, values in book.rows(name, columns=COLUMNS):
                for position, value in enumerate(values, start=1):
                    if value is not None:
                        cells[(number, position)] = (type(value), value)
    finally:
        book.close()
    return found


def assert_same(content: bytes) -> dict[str, dict[tuple[int, int], tuple[type, Any]]]:
    expected = by_openpyxl(content)
    assert by_reader(content) == expected
    return expected


def sheet_xml(cells: str, *, rows: str = "") -> bytes:
    body = rows or f'<row r="1">{cells}</row>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


# --- The same values as openpyxl ------------------------------------------------------------


def test_the_template_reads_as_openpyxl_reads_it(world: World) -> None:
    content = activity_template_build(user=world.officer)

    found = assert_same(content)

    assert list(found) == [
        "Petunjuk",
        "Kegiatan",
        "Peserta",
        "Anggaran",
        "Kontribusi",
        "Hasil",
        "Kode",
    ]
    assert found["Kegiatan"][(1, 1)] == (str, "reference")


def test_a_filled_in_template_and_the_export_read_as_openpyxl_reads_them(world: World) -> None:
    content = workbook(world.officer, full_sheets())
    found = assert_same(content)
    assert upload(world.officer, content).applied_references

    exported = activity_export(user=world.officer)

    again = assert_same(exported)
    assert Activity.objects.count() == 2
    assert (str, "reference") == again["Kegiatan"][(1, 1)]
    assert found["Kegiatan"][(3, 1)] == again["Kegiatan"][(3, 1)]


def test_every_kind_of_cell_reads_as_openpyxl_reads_it() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kinds"
    rich = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold"), " end"])
    values: list[Any] = [
        "text",
        "  spaced  ",
        "baris\nkedua",
        42,
        -7,
        10**15,
        2.5,
        2.0,
        1e-7,
        1.5e20,
        True,
        False,
        naive(2024, 3, 4, 15, 30),
        date(2024, 3, 4),
        time(9, 45),
        timedelta(hours=36, minutes=5),
        Decimal("12.34"),
        rich,
        "x005F_kept",
        "=1+1",
    ]
    sheet.append(values)
    sheet.cell(row=5, column=3, value="a row further down")
    sheet.cell(row=6, column=2, value=45000).number_format = "dd/mm/yyyy"
    sheet.cell(row=6, column=3, value=45000.25).number_format = "yyyy-mm-dd hh:mm"
    sheet.cell(row=6, column=4, value=0.5).number_format = "hh:mm"
    sheet.cell(row=6, column=5, value=1.25).number_format = "[h]:mm:ss"
    sheet.cell(row=6, column=6, value=45000).number_format = "0.00"
    sheet.cell(row=6, column=7, value=12.5).number_format = "0%"
    book.create_sheet("Second").append(["other", 1])

    found = assert_same(saved(book))

    row = found["Kinds"]
    assert row[(1, 8)] == (int, 2)  # written as 2: openpyxl reads an int
    assert row[(1, 13)] == (datetime, naive(2024, 3, 4, 15, 30))
    assert row[(1, 16)] == (timedelta, timedelta(hours=36, minutes=5))
    assert row[(1, 18)] == (str, "plain bold end")
    assert (1, 20) not in row  # a formula openpyxl wrote has no cached value
    assert found["Kinds"][(6, 2)] == (datetime, naive(2023, 3, 15))


def test_dates_of_a_1904_workbook_read_as_openpyxl_reads_them() -> None:
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append([date(2024, 3, 4), naive(2001, 1, 2, 3, 4, 5), 3])

    found = assert_same(saved(book))

    assert found["Sheet"][(1, 1)] == (datetime, naive(2024, 3, 4))


def test_cells_written_by_other_programs_read_as_openpyxl_reads_them() -> None:
    """Shared rich text with phonetic runs, inline strings, cached formula values, errors …"""
    book = Workbook()
    book.active.title = "Hand"
    book.active.append(["placeholder"])
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="4" uniqueCount="4">'
        "<si><t>simple</t></si>"
        "<si><r><t>run </t></r><r><rPr><b/></rPr><t>two</t></r>"
        "<rPh sb='0' eb='1'><t>ph</t></rPh></si>"
        '<si><t xml:space="preserve">  kept  </t></si>'
        "<si><t>a_x005F_x000D_b</t></si>"
        "</sst>"
    ).encode()
    cells = (
        '<c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c>'
        '<c r="D1" t="s"><v>3</v></c>'
        '<c r="E1" t="inlineStr"><is><t>inline</t></is></c>'
        '<c r="F1" t="inlineStr"><is><r><t>in</t></r><r><t>runs</t></r></is></c>'
        '<c r="G1"><f>1+1</f><v>2</v></c>'
        '<c r="H1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="I1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="J1" t="b"><v>1</v></c>'
        '<c r="K1" t="b"><v>0</v></c>'
        '<c r="L1"><v>1.5E3</v></c>'
        '<c r="M1"><v>007</v></c>'
        '<c r="N1" t="d"><v>2024-03-04T10:20:30</v></c>'
        '<c r="O1" t="n"><v></v></c>'
        '<c r="P1"/>'
        "<c><v>17</v></c>"
        '<c r="AB1"><v>28</v></c>'
    )
    rows = (
        f'<row r="1">{cells}</row>'
        '<row><c r="A2"><v>3</v></c></row>'
        '<row r="7.0"><c><v>1</v></c><c><v>2</v></c></row>'
        '<row r="9" spans="1:3"><c r="C9" t="s"><v>0</v></c></row>'
    )
    content = with_shared_strings(
        replaced(saved(book), {"xl/worksheets/sheet1.xml": sheet_xml("", rows=rows)}), strings
    )

    found = assert_same(content)

    hand = found["Hand"]
    assert hand[(1, 2)] == (str, "run two")
    assert hand[(1, 4)] == (str, "a_x000D_b")
    assert hand[(1, 7)] == (int, 2)
    assert hand[(1, 9)] == (str, "#DIV/0!")
    assert hand[(1, 17)] == (int, 17)
    assert hand[(1, 28)] == (int, 28)
    assert hand[(7, 2)] == (int, 2)


def test_a_sheet_yields_only_the_rows_its_xml_holds() -> None:
    book = Workbook()
    book.active.append(["first"])
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>one</t></is></c></row>'
    rows += '<row r="30000000"><c r="B30000000"><v>2</v></c></row>'
    content = replaced(saved(book), {"xl/worksheets/sheet1.xml": sheet_xml("", rows=rows)})

    read = xlsx_open(content)

    assert list(read.rows("Sheet", columns=3)) == [
        (1, ("one", None, None)),
        (30_000_000, (None, 2, None)),
    ]


# --- Hostile and broken files ---------------------------------------------------------------


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def template_parts(world: World) -> tuple[bytes, dict[str, str]]:
    """A filled-in template and its parts: sheet name → part name."""
    content = workbook(world.officer, {"Kegiatan": [activity_row()]})
    book = xlsx_open(content)
    parts = dict(book.parts)
    book.close()
    return content, parts


def hostile_sheet(entity: str) -> bytes:
    cells = f'<c r="A1" t="inlineStr"><is><t>&{entity};</t></is></c>'
    return sheet_xml(cells).replace(b'<?xml version="1.0" encoding="UTF-8"?>', b"")


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("Kegiatan", LAUGHS.encode() + hostile_sheet("lol4")),
        ("Kegiatan", EXTERNAL.encode() + hostile_sheet("secret")),
        ("Kegiatan", b"<worksheet><sheetData><row><c>"),
        ("Kegiatan", sheet_xml('<c r="A1" t="s"><v>99999</v></c>')),
        ("Kegiatan", sheet_xml('<c r="1A"><v>1</v></c>')),
        ("Kegiatan", sheet_xml('<c r="A1" t="b"><v>yes</v></c>')),
        ("xl/workbook.xml", LAUGHS.encode() + f'<workbook xmlns="{MAIN}"/>'.encode()),
        ("xl/workbook.xml", b"not xml at all"),
        ("xl/workbook.xml", None),
        ("xl/_rels/workbook.xml.rels", b"<Relationships"),
        ("xl/_rels/workbook.xml.rels", None),
        ("[Content_Types].xml", None),
        ("[Content_Types].xml", LAUGHS.encode() + b"<Types/>"),
        ("xl/styles.xml", EXTERNAL.encode() + f'<styleSheet xmlns="{MAIN}"/>'.encode()),
    ],
)
def test_a_hostile_or_broken_part_makes_it_not_a_template(
    world: World, part: str, data: bytes | None
) -> None:
    content, parts = template_parts(world)
    name = parts.get(part, part)

    report = upload(world.officer, replaced(content, {name: data}))

    assert [(p.message, p.fix) for p in report.problems] == [NOT_A_TEMPLATE]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    "strings",
    [
        LAUGHS.encode() + f'<sst xmlns="{MAIN}"><si><t>&lol4;</t></si></sst>'.encode(),
        LAUGHS.encode() + f'<sst xmlns="{MAIN}"/>'.encode(),
        b"<sst><si>",
    ],
)
def test_hostile_shared_strings_make_it_not_a_template(world: World, strings: bytes) -> None:
    content, _parts = template_parts(world)

    report = upload(world.officer, with_shared_strings(content, strings))

    assert [(p.message, p.fix) for p in report.problems] == [NOT_A_TEMPLATE]


def test_a_sheet_whose_relationship_points_nowhere_is_missing(world: World) -> None:
    content, parts = template_parts(world)

    report = upload(world.officer, replaced(content, {parts["Peserta"]: None}))

    assert [(p.sheet, p.message) for p in report.problems] == [
        ("Peserta", "The sheet Peserta is missing.")
    ]


def test_a_relationship_id_that_does_not_exist_makes_it_not_a_template(world: World) -> None:
    content, _parts = template_parts(world)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels").replace(b'Id="rId1"', b'Id="rIdX"')

    report = upload(world.officer, replaced(content, {"xl/_rels/workbook.xml.rels": rels}))

    assert [(p.message, p.fix) for p in report.problems] == [NOT_A_TEMPLATE]


def test_the_reader_refuses_a_document_type_before_any_value() -> None:
    book = Workbook()
    content = replaced(
        saved(book),
        {"xl/worksheets/sheet1.xml": LAUGHS.encode() + hostile_sheet("lol4")},
    )
    read = xlsx_open(content)

    with pytest.raises(Unreadable):
        list(read.rows("Sheet", columns=2))
