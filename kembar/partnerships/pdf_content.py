"""What is inside an uploaded PDF: parsed by pypdf, refused when it could act on its reader.

The byte checks of :func:`kembar.partnerships.documents.pdf_check` let
through an HTML page that carries ``%PDF-1.4`` in a comment and ``%%EOF`` at
its end.  Here the file is parsed as a PDF (its cross-reference table, its
catalogue, at least one page) and every object is walked once; it is refused,
with the reason, when it

* does not parse as a PDF with pages,
* is encrypted (Kembar keeps documents that anyone allowed may open),
* holds JavaScript (``/JS``, ``/JavaScript``, also as an ``/OpenAction`` or in
  the document's name tree),
* holds actions that run by themselves on opening or viewing (``/AA``), or
  that start a program (``/Launch``).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

__all__ = ["pdf_content_problems"]

#: Objects walked at most; a document from a scanner or word processor has far fewer.
MAX_OBJECTS = 200_000

# pypdf reports a damaged file with its own errors and, deeper down, with
# Python's; for a hostile file any of them means "not a PDF we can check".
_PARSE_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    RecursionError,
    OverflowError,
    NotImplementedError,
    zlib.error,
    struct.error,
)

_JAVASCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})


class _Found(Exception):
    """Stops the walk at the first object that makes the file unsafe."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(kind)


def _objects(reader: PdfReader) -> Iterator[Any]:
    """Every indirect object of the file, from its table and its object streams."""
    numbers: set[tuple[int, int]] = set()
    for generation, entries in reader.xref.items():
        numbers.update((number, generation) for number in entries)
    numbers.update((number, 0) for number in reader.xref_objStm)
    if len(numbers) > MAX_OBJECTS:
        raise _Found("too_many")
    for number, generation in sorted(numbers):
        yield reader.get_object(IndirectObject(number, generation, reader))
    yield reader.trailer


def _check(value: Any, budget: list[int]) -> None:
    """Walk ``value`` and what it holds directly (indirect objects are walked on their own)."""
    stack = [value]
    while stack:
        item = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise _Found("too_many")
        if isinstance(item, DictionaryObject):
            keys = {str(key) for key in item}
            action = item.get("/S")
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if keys & _JAVASCRIPT_KEYS or action == NameObject("/JavaScript"):
                raise _Found("javascript")
            if action == NameObject("/Launch") or "/Launch" in keys:
                raise _Found("launch")
            if "/AA" in keys:
                raise _Found("automatic")
            stack.extend(v for v in item.values() if not isinstance(v, IndirectObject))
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if not isinstance(v, IndirectObject))


def _messages(kind: str) -> str:
    fix = _("Print the document to a new PDF (or scan it) and upload that file.")
    return {
        "javascript": _("The PDF contains JavaScript, which Kembar does not accept. %(fix)s"),
        "launch": _(
            "The PDF contains an action that starts a program, which Kembar does not accept. "
            "%(fix)s"
        ),
        "automatic": _(
            "The PDF contains actions that run by themselves when it is opened or viewed, "
            "which Kembar does not accept. %(fix)s"
        ),
        "too_many": _("The PDF holds too many objects to be checked. %(fix)s"),
    }[kind] % {"fix": fix}


def pdf_content_problems(stream: IO[bytes]) -> list[str]:
    """Messages (in the user's language) on why the PDF in ``stream`` is refused; [] if none.

    ``stream`` is left at its start.
    """
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            return [
                _(
                    "The PDF is encrypted or protected with a password. Save it again without "
                    "protection (or print it to a new PDF) and upload that file."
                )
            ]
        if len(reader.pages) < 1:
            raise ValueError("no pages")
        budget = [MAX_OBJECTS * 10]
        for item in _objects(reader):
            _check(item, budget)
    except _Found as found:
        return [_messages(found.kind)]
    except _PARSE_ERRORS:
        return [
            _(
                "The file is not a readable PDF, although it starts like one. Save or scan the "
                "document as PDF again and upload that file."
            )
        ]
    finally:
        stream.seek(0)
    return []
