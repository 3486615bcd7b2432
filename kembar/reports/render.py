"""A :class:`~kembar.reports.content.Report` as a PDF (WeasyPrint) or a workbook (openpyxl).

Both are reproducible: the same report gives the same bytes.  The PDF's
creation and modification dates are the report's ``as_of`` (WeasyPrint takes
them from the ``dcterms`` meta elements) and its identifier is derived from
its content; the workbook's properties carry ``as_of`` too, and its parts are
written with that time instead of the clock's (openpyxl stamps ``modified``
and every zip entry with the time of writing).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kembar.common.tabular import xlsx_cell
from kembar.reports.content import Cell, Report, Table, number_text

__all__ = ["FORMATS", "render_pdf", "render_xlsx"]

FORMATS = ("pdf", "xlsx")

#: Bars of the inline charts are this wide at most (SVG user units).
BAR_WIDTH = 300


def _numeric(cell: Cell) -> bool:
    return isinstance(cell, int | Decimal) and not isinstance(cell, bool)


def _chart(table: Table) -> list[dict[str, Any]]:
    """Bars for the last numeric column of ``table`` (rows named Total left out)."""
    total = _("Total")
    values = [
        (str(row[0]), float(row[-1]))
        for row in table.rows
        if isinstance(row[-1], int | Decimal) and not isinstance(row[-1], bool) and row[0] != total
    ]
    largest = max((value for _name, value in values), default=0.0)
    if not values or largest <= 0:
        return []
    return [
        {"label": name, "width": round(BAR_WIDTH * value / largest, 1), "y": 22 * i}
        for i, (name, value) in enumerate(values)
    ]


def _pdf_date(report: Report) -> str:
    return report.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(report: Report) -> bytes:
    """The report as a PDF, its fonts from the system, nothing fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(report.language):
        tables = [
            {
                "table": table,
                "rows": [
                    [
                        {"text": number_text(cell, report.language), "num": _numeric(cell)}
                        for cell in row
                    ]
                    for row in table.rows
                ],
                "bars": bars,
                "chart_height": 22 * len(bars) + 6,
            }
            for section in report.sections
            for table in section.tables
            for bars in [_chart(table) if table.chart else []]
        ]
        by_key = {id(item["table"]): item for item in tables}
        for section in report.sections:
            for table in section.tables:
                # A section of one table named as the section needs no second heading.
                by_key[id(table)]["heading"] = table.title != section.title
        sections = [
            {"section": section, "tables": [by_key[id(table)] for table in section.tables]}
            for section in report.sections
        ]
        html = render_to_string(
            "reports/report.html",
            {"report": report, "sections": sections, "as_of": _pdf_date(report)},
        )
    # No protocol is allowed: the report has no image, font or style sheet to fetch.
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    pdf: bytes = document.write_pdf(pdf_identifier=identifier)
    return pdf


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def render_xlsx(report: Report) -> bytes:
    """The report as a workbook: a sheet per section with its tables, and a sources sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    used: set[str] = set()
    rows: dict[str, int] = {}

    def put(sheet: Any, values: list[Any], *, strong: bool = False) -> None:
        # Every cell through kembar.common.tabular: a text is never a formula.
        number = rows.get(sheet.title, 0) + 1
        rows[sheet.title] = number
        for column, value in enumerate(values, start=1):
            written = xlsx_cell(sheet, number, column, value)
            if strong:
                written.font = bold

    with translation.override(report.language):
        for section in report.sections:
            sheet = book.create_sheet(_sheet_title(section.title, used))
            put(sheet, [section.title], strong=True)
            for paragraph in section.paragraphs:
                put(sheet, [paragraph])
            for table in section.tables:
                put(sheet, [])
                put(sheet, [table.title], strong=True)
                put(sheet, list(table.columns), strong=True)
                for row in table.rows:
                    put(sheet, [_xlsx_value(cell) for cell in row])
                if table.note:
                    put(sheet, [table.note])
        sources = book.create_sheet(_sheet_title(_("Sources and assumptions"), used))
        put(sources, [_("Sources")], strong=True)
        for source in report.sources:
            put(sources, [source])
        put(sources, [])
        put(sources, [_("Assumptions")], strong=True)
        for assumption in report.assumptions:
            put(sources, [assumption])
        put(sources, [])
        put(sources, [_("Data as of"), _pdf_date(report)])
    stamp = report.as_of.replace(tzinfo=None)
    book.properties.creator = "Kembar"
    book.properties.title = report.title
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.language = report.language
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue(), report)


def _xlsx_value(cell: Cell) -> Any:
    # Money and indicator values stay numbers; Decimal is written as a float by openpyxl.
    return cell


def _fixed_times(content: bytes, report: Report) -> bytes:
    """The workbook with ``as_of`` as its modification time and the time of every part."""
    stamp = _pdf_date(report)
    when = report.as_of.timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()
