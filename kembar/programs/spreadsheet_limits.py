"""Limits on an uploaded workbook, checked before and while it is read.

A 307 KB workbook can declare 30 million rows, or unpack to gigabytes: the
zip is inspected before it is opened (:func:`zip_problems`), and the
rows of a sheet are read as its XML holds them, never as its declared
dimension says (:func:`sheet_rows`), so reading stops at the limits set in
``config.settings``:

``KEMBAR_IMPORT_MAX_UNCOMPRESSED_BYTES``
    everything in the workbook together, unpacked;
``KEMBAR_IMPORT_MAX_ZIP_RATIO``
    how much larger than packed a large part may be (zip bombs pack
    a thousandfold);
``KEMBAR_IMPORT_MAX_ROWS``
    rows with data per sheet; ``KEMBAR_IMPORT_MAX_SCANNED_ROWS`` rows read
    in all, with data or not;
``KEMBAR_IMPORT_MAX_CELL_CHARS``
    characters in one cell.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kembar.programs.spreadsheet_xlsx import XlsxBook

__all__ = [
    "MULTI_LINE_COLUMNS",
    "cell_too_long",
    "max_cell_chars",
    "max_rows",
    "max_scanned_rows",
    "sheet_rows",
    "too_many_lines",
    "too_many_rows",
    "too_many_scanned",
    "zip_problems",
]

#: Columns whose cells may hold line breaks; the other texts are one line.
MULTI_LINE_COLUMNS = frozenset(
    {"description_id", "description_en", "cancellation_reason", "description", "note"}
)

# Parts larger than this are held to the compression ratio; small ones can
# compress well (an empty sheet) without being a danger.
_RATIO_FROM_BYTES = 1024 * 1024
_MAX_MEMBERS = 1000
_CHUNK = 1024 * 1024


def max_rows() -> int:
    return int(settings.KEMBAR_IMPORT_MAX_ROWS)


def max_scanned_rows() -> int:
    return int(settings.KEMBAR_IMPORT_MAX_SCANNED_ROWS)


def max_cell_chars() -> int:
    return int(settings.KEMBAR_IMPORT_MAX_CELL_CHARS)


def _megabytes(size: int) -> str:
    return number_format(round(size / 2**20), force_grouping=True)


def _too_large(size: int, limit: int) -> tuple[str, str]:
    return (
        _(
            "The workbook unpacks to %(size)s MB, more than the limit of %(limit)s MB "
            "(a workbook is a packed file)."
        )
        % {"size": _megabytes(size), "limit": _megabytes(limit)},
        _(
            "Remove pictures, formatting of whole rows or columns and sheets you added, or "
            "split the rows over several files."
        ),
    )


def zip_problems(content: bytes) -> tuple[str, str] | None:
    """(message, fix) when the workbook's zip is broken or unpacks beyond the limits, else None.

    The sizes the zip declares are checked first, then every part is
    unpacked in chunks and counted, so a zip that lies about its sizes is
    caught without holding more than one chunk.  Python's zipfile stops a
    part at its declared size and checks its CRC, so nothing read later
    (by :mod:`kembar.programs.spreadsheet_xlsx`) can be larger than what was counted here.
    """
    limit = int(settings.KEMBAR_IMPORT_MAX_UNCOMPRESSED_BYTES)
    ratio = float(settings.KEMBAR_IMPORT_MAX_ZIP_RATIO)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip: the reader says it is not a workbook
    with archive:
        members = archive.infolist()
        if len(members) > _MAX_MEMBERS:
            return (
                _(
                    "The workbook holds %(count)s parts; a workbook from the template has fewer "
                    "than %(limit)s."
                )
                % {"count": len(members), "limit": _MAX_MEMBERS},
                _("Download the template, fill it in and upload that file."),
            )
        declared = sum(member.file_size for member in members)
        if declared > limit:
            return _too_large(declared, limit)
        for member in members:
            if member.file_size > _RATIO_FROM_BYTES and member.file_size > ratio * max(
                member.compress_size, 1
            ):
                return (
                    _(
                        "The part %(name)s of the workbook is packed more than %(ratio)s times "
                        "smaller than it is; Kembar does not open such files."
                    )
                    % {"name": member.filename, "ratio": number_format(ratio, decimal_pos=0)},
                    _("Open the file in your spreadsheet program, save it again and upload it."),
                )
        unpacked = 0
        try:
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            return _too_large(unpacked, limit)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            return (
                _("The workbook is damaged: a part of it cannot be unpacked."),
                _("Open the file in your spreadsheet program, save it again and upload it."),
            )
    return None


def cell_too_long(length: int) -> tuple[str, str]:
    """(message, fix) for a cell of ``length`` characters, over the limit."""
    return (
        _("The cell holds %(count)s characters, more than the limit of %(limit)s.")
        % {
            "count": number_format(length, force_grouping=True),
            "limit": number_format(max_cell_chars(), force_grouping=True),
        },
        _("Shorten the text; put long documents in Kembar as documents."),
    )


def too_many_rows(sheet: str) -> tuple[str, str]:
    """(message, fix) for a sheet with more rows than may be read."""
    return (
        _("The sheet %(sheet)s has more than %(limit)s rows.")
        % {"sheet": sheet, "limit": number_format(max_rows(), force_grouping=True)},
        _("Split the rows over several files and upload them one after the other."),
    )


def too_many_scanned(sheet: str) -> tuple[str, str]:
    """(message, fix) for a sheet with more rows, empty ones included, than may be read."""
    return (
        _("The sheet %(sheet)s has more than %(limit)s rows, counting the empty ones.")
        % {"sheet": sheet, "limit": number_format(max_scanned_rows(), force_grouping=True)},
        _(
            "Delete the empty rows below your data (select them, then Delete rows), or copy "
            "your rows into a new template."
        ),
    )


def too_many_lines(limit: int) -> tuple[str, str]:
    """(message, fix) for a CSV file with more lines than may be read."""
    return (
        _("The file has more than %(limit)s lines.")
        % {"limit": number_format(limit, force_grouping=True)},
        _("Delete the empty lines at its end, or split the rows over several files."),
    )


def sheet_rows(
    book: XlsxBook, sheet: str, *, columns: int
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, the first ``columns`` values) of each row the sheet's XML holds.

    A sheet may declare a dimension of thirty million rows around one far
    cell; the rows are streamed from its XML as they are there
    (:meth:`kembar.programs.spreadsheet_xlsx.XlsxBook.rows`), never filled up
    to the dimension, so the limits stop reading in time.
    """
    return book.rows(sheet, columns=columns)
