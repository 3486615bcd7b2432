"""The files: exact figures in the workbook's cells and the PDF's text; same data, same bytes."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from kembar.reports.services import ReportOptions, report_build
from kembar.reports.tests.record import Record, record_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> Record:
    return record_build()


def build(kind: str = "council", file_format: str = "pdf", **extra: str) -> bytes:
    options = ReportOptions(kind=kind, region="33.74", year=2025, format=file_format, **extra)
    return report_build(options)[1]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def rows_of(sheet: object) -> list[tuple[object, ...]]:
    """The sheet's rows without the empty cells openpyxl pads them with on the right."""
    rows = []
    for row in sheet.iter_rows(values_only=True):  # type: ignore[attr-defined]
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(tuple(values))
    return rows


def test_the_council_workbook_holds_the_exact_figures(record: Record) -> None:
    book = load_workbook(io.BytesIO(build(file_format="xlsx", language="en")))

    assert book.sheetnames == [
        "Partnerships by stage",
        "Activities of the year",
        "Money by source",
        "Participants and reach",
        "Results against targets",
        "Economic effects",
        "Learning",
        "What is at risk",
        "Sources and assumptions",
    ]
    money = rows_of(book["Money by source"])
    assert ("regional budget (APBD)", 180000000.25, 120500000.5) in money
    assert ("Total", 285002500.25, 120500000.5) in money
    reach = rows_of(book["Participants and reach"])
    assert ("students and youth", 24) in reach
    assert ("business / UMKM", "hidden") in reach
    assert ("government", "hidden") in reach
    stages = rows_of(book["Partnerships by stage"])
    assert ("Active", "PP 28/2018 Pasal 43", 2) in stages
    results = rows_of(book["Results against targets"])
    assert ("SMG-2025-01", "Guru terlatih", "Sekolah mitra", "sekolah", 4, 5, 125) in results
    sources = [row[0] for row in rows_of(book["Sources and assumptions"]) if row]
    assert "Sources" in sources and "Assumptions" in sources
    assert Decimal(str(money[-1][1])) == Decimal("285002500.25")


def test_the_council_pdf_text_holds_the_exact_figures(record: Record) -> None:
    text = pdf_text(build(language="en"))

    assert "International cooperation of Kota Semarang in 2025" in text
    assert "285,002,500.25" in text
    assert "180,000,000.25" in text
    assert "105,002,500" in text
    assert "2,015,000,000" in text
    assert "Sources and assumptions" in text
    assert "Local participants in 2025: 33." in text


def test_indonesian_figures_are_grouped_the_indonesian_way(record: Record) -> None:
    text = pdf_text(build(language="id"))

    assert "285.002.500,25" in text
    assert "Kota Semarang" in text


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
@pytest.mark.parametrize(
    ("kind", "partnership"),
    [("council", ""), ("ministry", "smg-brisbane"), ("profile", "smg-busan")],
)
def test_same_data_and_options_give_the_same_bytes(
    record: Record, kind: str, partnership: str, file_format: str
) -> None:
    first = build(kind, file_format, partnership=partnership, language="en")
    second = build(kind, file_format, partnership=partnership, language="en")

    assert first == second
    assert first != build(kind, file_format, partnership=partnership, language="id")


def test_the_pdf_and_workbook_are_dated_by_the_data_not_the_clock(record: Record) -> None:
    pdf = PdfReader(io.BytesIO(build(language="en")))
    book = load_workbook(io.BytesIO(build(file_format="xlsx", language="en")))
    newest = max(record.brisbane.updated_at, record.first.updated_at, record.second.updated_at)
    stamp = newest.replace(microsecond=0, tzinfo=None)

    assert pdf.metadata is not None
    assert pdf.metadata.creation_date is not None
    assert pdf.metadata.creation_date.replace(tzinfo=None) == stamp
    assert book.properties.created == stamp
    assert book.properties.modified == stamp


def test_the_profile_fits_one_page_in_both_languages(record: Record) -> None:
    pdf = PdfReader(io.BytesIO(build("profile", partnership="smg-brisbane")))

    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Mitra: Brisbane" in text
    assert "Partner: Brisbane" in text


def test_the_command_writes_the_same_file_as_the_job(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "council.pdf"

    call_command(
        "report",
        "--kind=council",
        "--region=33.74",
        "--year=2025",
        "--format=pdf",
        f"--out={out}",
        "--language=en",
        stdout=io.StringIO(),
    )

    assert out.read_bytes() == build(language="en")
    assert "Kota Semarang" in pdf_text(out.read_bytes())


def test_the_command_writes_a_valid_workbook(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "profile.xlsx"

    call_command(
        "report",
        "--kind=ministry",
        "--region=33.74",
        "--year=2025",
        "--partnership=smg-brisbane",
        "--format=xlsx",
        f"--out={out}",
        stdout=io.StringIO(),
    )

    book = load_workbook(out)
    # Five sections and the sources.
    assert len(book.sheetnames) == 6
    activities = rows_of(book.worksheets[1])
    assert any(row[:1] == ("SMG-2025-01",) and row[6] == 29 for row in activities)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind=council", "--region=99.99"], "Unknown region 99.99."),
        (["--kind=ministry", "--region=33.74"], "A ministry report is of one partnership"),
        (
            ["--kind=profile", "--region=33.71", "--partnership=smg-brisbane"],
            "The partnership smg-brisbane is not one of Kota Magelang.",
        ),
    ],
)
def test_the_command_says_what_is_wrong(
    record: Record, tmp_path: Path, arguments: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"

    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command(
            "report",
            *arguments,
            "--year=2025",
            "--format=pdf",
            f"--out={out}",
            "--language=en",
        )
    assert str(refused.value).startswith(message)
    assert not out.exists()
