"""Reading an uploaded workbook: the rows of its sheets, streamed from the XML.

An upload is read once, row by row, by :func:`xlsx_open` and
:meth:`XlsxBook.rows`, with lxml's ``iterparse`` over the parts of the zip;
openpyxl only writes workbooks (templates, exports), it does not read
uploads any more: building its objects for every cell and every string
took longer than the whole check.

The values are those openpyxl gives in read-only mode with ``data_only``
(what the check was written against, and what the tests compare with):
shared and inline strings (the text of rich text runs joined, phonetic runs
left out), numbers as ``int`` unless the text has a dot or an exponent,
booleans, the cached value of a formula, the text of an error (``#DIV/0!``),
and a number whose cell style has a date format as a ``datetime`` (a time
for a fraction of a day, a ``timedelta`` for a duration format), counted
from 1904 when the workbook says so.

The file is treated as hostile (:func:`kembar.programs.spreadsheet_limits.zip_problems`
has checked the zip before): the parts are found through the package's
content types, ``xl/workbook.xml``'s relationships and nothing else; the
parser resolves no entity, loads no DTD and fetches nothing, and a part with
a document type declaration is refused (:class:`Unreadable`), as is any part
that is missing, malformed or points nowhere.  A sheet yields only the rows
its XML holds, whatever dimension it declares.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

__all__ = ["Unreadable", "XlsxBook", "xlsx_open"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RID = "{" + _DOC_REL + "}id"
_SHARED_STRINGS = _DOC_REL + "/sharedStrings"
_STYLES = _DOC_REL + "/styles"
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_ROW, _CELL, _VALUE, _INLINE = (f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is"))
_T, _RUN, _SI = (f"{_MAIN}{tag}" for tag in ("t", "r", "si"))
#: Column letters (A … XFD) to numbers, as openpyxl reads coordinates.
_COLUMNS = {get_column_letter(number): number for number in range(1, 18279)}
_DIGITS = "0123456789"
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


class Unreadable(ValueError):
    """The file is not a workbook that can be read safely."""


def _safe(tree: Any) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise Unreadable("a part of the workbook declares a document type")


def _parse(archive: zipfile.ZipFile, name: str) -> Any:
    """The root element of a small part (content types, workbook, relationships, styles)."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    root = etree.fromstring(archive.read(name), parser)
    _safe(root.getroottree())
    return root


def _elements(source: IO[bytes], tag: str) -> Iterator[Any]:
    """Each ``tag`` element of a part as it ends; the read ones are dropped (memory stays flat)."""
    events = etree.iterparse(source, events=("end",), tag=tag, **_PARSER_OPTIONS)
    count = 0
    for count, (_event, element) in enumerate(events, start=1):
        if count == 1:
            _safe(element.getroottree())
        yield element
        element.clear(keep_tail=True)
        if count % 256 == 0 and (parent := element.getparent()) is not None:
            del parent[: parent.index(element)]
    if not count and events.root is not None:
        _safe(events.root.getroottree())


def _text(element: Any) -> str:
    """The text of a string item: its ``t``, then the ``t`` of each run (as openpyxl's Text)."""
    plain: str | None = None
    runs: list[str] = []
    for child in element:
        if child.tag == _T:
            plain = child.text
        elif child.tag == _RUN:
            text = None
            for part in child:
                if part.tag == _T:
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is not None:
        runs.insert(0, plain)
    return "".join(runs)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part name) of the relationships of ``part`` that point into the package."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for relationship in _parse(archive, path).iter(f"{_REL}Relationship"):
        if relationship.get("TargetMode") == "External":
            continue
        target = relationship.get("Target") or ""
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[relationship.get("Id") or ""] = (relationship.get("Type") or "", target)
    return found


def _workbook_part(archive: zipfile.ZipFile) -> str:
    """The workbook part, as the package's content types name it."""
    types = _parse(archive, "[Content_Types].xml")
    overrides = {
        item.get("ContentType"): item.get("PartName") or ""
        for item in reversed(list(types.iter(f"{_TYPES}Override")))
    }
    for content_type in _WORKBOOK_TYPES:
        if overrides.get(content_type):
            return str(overrides[content_type]).lstrip("/")
    defaults = {item.get("ContentType") for item in types.iter(f"{_TYPES}Default")}
    if defaults & set(_WORKBOOK_TYPES):
        return "xl/workbook.xml"
    raise Unreadable("the workbook has no workbook part")


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> tuple[set[int], set[int]]:
    """The cell styles whose number format is a date, and those that are a duration."""
    dates: set[int] = set()
    durations: set[int] = set()
    if part is None or part not in archive.NameToInfo:
        return dates, durations
    root = _parse(archive, part)
    custom: dict[int, str] = {}
    for formats in root.iterchildren(f"{_MAIN}numFmts"):
        for item in formats.iterchildren(f"{_MAIN}numFmt"):
            custom[int(item.get("numFmtId"))] = item.get("formatCode")
    for styles in root.iterchildren(f"{_MAIN}cellXfs"):
        for index, style in enumerate(styles.iterchildren(f"{_MAIN}xf")):
            number = int(style.get("numFmtId", 0))
            code = custom[number] if number in custom else BUILTIN_FORMATS.get(number)
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


@dataclass(slots=True)
class XlsxBook:
    """An opened workbook: its sheets in order and what reading their cells needs."""

    archive: zipfile.ZipFile
    #: Sheet name → its part, or "" for a sheet that is not a worksheet (a chart sheet).
    parts: dict[str, str] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)
    dates: set[int] = field(default_factory=set)
    durations: set[int] = field(default_factory=set)
    epoch: datetime = WINDOWS_EPOCH

    @property
    def sheetnames(self) -> list[str]:
        return list(self.parts)

    def close(self) -> None:
        self.archive.close()

    def rows(self, sheet: str, *, columns: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, the first ``columns`` values) of each row the sheet's XML holds."""
        part = self.parts[sheet]
        if not part:
            raise Unreadable(f"{sheet} is not a worksheet")
        strings, dates, durations, epoch = self.strings, self.dates, self.durations, self.epoch
        # A cell's style attribute → (a date?, a duration?), worked out once per style.
        styles: dict[str | None, tuple[bool, bool]] = {}
        number = 0
        with self.archive.open(part) as source:
            for row in _elements(source, _ROW):
                given = row.get("r")
                if given is None:
                    number += 1
                else:
                    try:
                        number = int(given)
                    except ValueError:
                        as_float = float(given)
                        if not as_float.is_integer():
                            raise
                        number = int(as_float)
                values: list[Any] = [None] * columns
                column = 0
                suffix = str(number)
                cut = -len(suffix)
                for cell in row:
                    if cell.tag != _CELL:
                        continue
                    coordinate = cell.get("r")
                    if coordinate:
                        # Mostly the letters and this row's number: no need to parse it.
                        known = coordinate.endswith(suffix) and _COLUMNS.get(coordinate[:cut])
                        column = known or _column(coordinate)
                    else:
                        column += 1
                    if not 0 < column <= columns:
                        continue
                    kind = cell.get("t", "n")
                    value: Any = None
                    if kind == "inlineStr":
                        for child in cell:
                            if child.tag == _INLINE:
                                # Mostly one plain text; runs and the rest as openpyxl reads them.
                                only = child[0] if len(child) == 1 else None
                                if only is not None and only.tag == _T:
                                    value = only.text or ""
                                else:
                                    value = _text(child)
                                break
                    else:
                        for child in cell:
                            if child.tag == _VALUE:
                                value = child.text or None
                                break
                        if value is not None:
                            if kind == "n":
                                if "." in value or "E" in value or "e" in value:
                                    value = float(value)
                                else:
                                    value = int(value)
                                style = cell.get("s")
                                dated = styles.get(style)
                                if dated is None:
                                    index = int(style) if style else 0
                                    dated = styles[style] = (index in dates, index in durations)
                                if dated[0]:
                                    try:
                                        value = from_excel(value, epoch, timedelta=dated[1])
                                    except (OverflowError, ValueError):
                                        value = "#VALUE!"
                            elif kind == "s":
                                value = strings[int(value)]
                            elif kind == "b":
                                value = bool(int(value))
                            elif kind == "d":
                                value = from_ISO8601(value)
                    values[column - 1] = value
                yield number, tuple(values)


def _column(coordinate: str) -> int:
    """The column number of a cell reference (``AB12`` → 28), checked as openpyxl does."""
    letters = coordinate.rstrip(_DIGITS)
    int(coordinate[len(letters) :])  # a ValueError for a reference without a row
    return _COLUMNS[letters]


def xlsx_open(content: bytes) -> XlsxBook:
    """The workbook in ``content``, its sheets found, shared strings and date styles read.

    Raises :class:`Unreadable`, or what the zip, the parser or a wrong
    reference raises (``zipfile.BadZipFile``, ``etree.LxmlError``,
    ``KeyError``, ``ValueError`` …), when it is not a workbook that can be
    read.
    """
    archive = zipfile.ZipFile(io.BytesIO(content))
    try:
        workbook = _workbook_part(archive)
        relationships = _relationships(archive, workbook)
        root = _parse(archive, workbook)
        book = XlsxBook(archive)
        for properties in root.iterchildren(f"{_MAIN}workbookPr"):
            if properties.get("date1904", "false") not in ("false", "f", "0"):
                book.epoch = CALENDAR_MAC_1904
        for sheets in root.iterchildren(f"{_MAIN}sheets"):
            for sheet in sheets.iterchildren(f"{_MAIN}sheet"):
                identifier = sheet.get(_RID)
                if not identifier:
                    continue
                kind, target = relationships[identifier]
                if target not in archive.NameToInfo:
                    continue
                book.parts[sheet.get("name") or ""] = "" if "chartsheet" in kind else target
        by_type = dict(reversed(list(relationships.values())))
        strings = by_type.get(_SHARED_STRINGS)
        if strings is not None and strings in archive.NameToInfo:
            with archive.open(strings) as source:
                book.strings = [
                    _text(item).replace("x005F_", "") for item in _elements(source, _SI)
                ]
        book.dates, book.durations = _date_styles(archive, by_type.get(_STYLES))
    except BaseException:
        archive.close()
        raise
    return book
