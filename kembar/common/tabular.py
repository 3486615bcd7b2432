"""Every CSV and XLSX file Kembar writes passes its cells through here.

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to a spreadsheet program (OWASP "CSV injection"): a
partner name such as ``=HYPERLINK(...)`` would run when an officer opens the
download.  Such texts are written as text: in CSV with a leading single
quote, in XLSX as a string cell marked "quote prefix" (the value itself stays
the same, so an exported workbook reads back unchanged).  Numbers, dates and
booleans stay what they are; a negative number is a number.  Characters that
no file may hold (see :func:`kembar.common.text.clean_text`) are replaced.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from kembar.common.text import clean_text

__all__ = ["FORMULA_STARTS", "SafeCsvWriter", "csv_writer", "safe_cell", "xlsx_cell"]

#: First characters that make a spreadsheet program read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: a text a spreadsheet would take for a formula gets a ``'``.

    >>> safe_cell("=1+1"), safe_cell("-5"), safe_cell(-5), safe_cell("Semarang")
    ("'=1+1", "'-5", -5, 'Semarang')
    """
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeCsvWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_cell`."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable, **options: Any) -> SafeCsvWriter:
    """The CSV writer every Kembar download and command uses."""
    return SafeCsvWriter(stream, **options)


def xlsx_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into a cell; a text is always a text, never a formula.

    openpyxl takes every string starting with ``=`` for a formula; the cell is
    set back to a string and marked with a quote prefix, which is how a
    spreadsheet program itself stores a text typed as ``'=…``.
    """
    text = clean_text(value) if isinstance(value, str) else value
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
