"""PDFs built in the tests with pypdf's writer: a plain one, and hostile ones."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=200)
    return writer


def blank_pdf() -> bytes:
    """A valid one-page PDF with nothing in it."""
    return _bytes(_writer())


def javascript_pdf() -> bytes:
    """A PDF that runs JavaScript from the document's name tree."""
    writer = _writer()
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('x');"),
            }
        )
    )
    scripts = writer._add_object(
        DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): scripts}
    )
    return _bytes(writer)


def open_action_pdf() -> bytes:
    """A PDF whose /OpenAction is a JavaScript action written inline in the catalogue."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x');"),
        }
    )
    return _bytes(writer)


def launch_pdf() -> bytes:
    """A PDF whose page opens with a /Launch action (through the page's /AA)."""
    writer = _writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def additional_actions_pdf() -> bytes:
    """A PDF whose page has additional actions (/AA) that run when it is shown."""
    writer = _writer()
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("x")}
            )
        }
    )
    return _bytes(writer)


def encrypted_pdf() -> bytes:
    """A PDF that needs a password to open."""
    writer = _writer()
    writer.encrypt(user_password="rahasia", owner_password="rahasia", algorithm="AES-128")
    return _bytes(writer)


def html_with_pdf_comment() -> bytes:
    """An HTML page that starts and ends like a PDF."""
    return (
        b"<!-- %PDF-1.4 -->\n<html><body><script>alert(document.cookie)</script>"
        b"</body></html>\n<!-- %%EOF -->\n"
    )
