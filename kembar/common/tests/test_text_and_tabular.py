"""Characters refused at input and replaced on output; formulas never reach a file we write."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kembar.common.tabular import csv_writer, safe_cell, xlsx_cell
from kembar.common.text import check_text, clean_text


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("Kerja sama Semarang–Brisbane", False, None),
        ("Baris satu\nbaris dua\tdengan tab\r\n", True, None),
        (
            "Judul\x07",
            False,
            "Title contains an invisible character that is not allowed (U+0007) at position 6; "
            "delete it or type the text again.",
        ),
        (
            "a\x00",
            True,
            "Title contains an invisible character that is not allowed (U+0000) at position 2; "
            "delete it or type the text again.",
        ),
        (
            "DEL\x7f",
            True,
            "Title contains an invisible character that is not allowed (U+007F) at position 4; "
            "delete it or type the text again.",
        ),
        (
            "C1\x85",
            True,
            "Title contains an invisible character that is not allowed (U+0085) at position 3; "
            "delete it or type the text again.",
        ),
        (
            "lone \ud800",
            True,
            "Title contains an invisible character that is not allowed (U+D800) at position 6; "
            "delete it or type the text again.",
        ),
        (
            "\ufffe",
            True,
            "Title contains an invisible character that is not allowed (U+FFFE) at position 1; "
            "delete it or type the text again.",
        ),
        (
            "x\U0001ffff",
            True,
            "Title contains an invisible character that is not allowed (U+1FFFF) at position 2; "
            "delete it or type the text again.",
        ),
        (
            "two\nlines",
            False,
            "Title must be one line: remove the line break or tab at position 4.",
        ),
        ("tab\there", False, "Title must be one line: remove the line break or tab at position 4."),
    ],
)
def test_check_text(value: str, multiline: bool, expected: str | None) -> None:
    with translation.override("en"):
        assert check_text(value, "Title", multiline=multiline) == expected


def test_clean_text_replaces_what_check_text_refuses() -> None:
    assert clean_text("a\x00b\udc80c\ufffed\nok") == "a\ufffdb\ufffdc\ufffdd\nok"
    assert clean_text("one\nline", multiline=False) == "one\ufffdline"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+62 24 123", "'+62 24 123"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Semarang", "Semarang"),
        ("a=b", "a=b"),
        (-5, -5),
        (2.5, 2.5),
        (None, None),
        (True, True),
        ("bell\x07", "bell\ufffd"),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_csv_writer_escapes_formulas_and_keeps_numbers() -> None:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["name", "value"])
    writer.writerows([["=1+1", -3], ["Brisbane", "-3"]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "value"],
        ["'=1+1", "-3"],
        ["Brisbane", "'-3"],
    ]


def test_xlsx_cell_writes_a_formula_as_text_and_a_number_as_a_number() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    xlsx_cell(sheet, 1, 1, '=HYPERLINK("http://evil","klik")')
    xlsx_cell(sheet, 2, 1, -5)
    xlsx_cell(sheet, 3, 1, "nama\x07")
    out = io.BytesIO()
    book.save(out)

    read = load_workbook(io.BytesIO(out.getvalue())).active
    assert read is not None
    assert (read["A1"].value, read["A1"].data_type, read["A1"].quotePrefix) == (
        '=HYPERLINK("http://evil","klik")',
        "s",
        True,
    )
    assert (read["A2"].value, read["A2"].data_type) == (-5, "n")
    assert read["A3"].value == "nama\ufffd"


def test_every_csv_and_xlsx_writer_goes_through_the_helper() -> None:
    """No module writes CSV rows or workbook cells except through kembar.common.tabular."""
    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\.cell\([^)]*value=|\.append\(\[")
    offenders = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "tabular.py"
        and writers.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == []
