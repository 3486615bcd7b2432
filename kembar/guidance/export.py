"""A rendered library document as a file: Markdown (plain text) or a small Word document (DOCX).

The DOCX is written with the standard library only (a ZIP of four XML parts,
ECMA-376 WordprocessingML): a title, headings, the legal basis of each part
and its lines as paragraphs, checklist lines with an empty box.  Word,
LibreOffice and Google Docs open it; its styles are the reader's defaults.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from kembar.guidance.library import RenderedDocument

__all__ = ["FORMATS", "as_docx", "as_markdown", "filename"]

#: Download formats: (file extension, content type).
FORMATS = {
    "md": ("md", "text/markdown; charset=utf-8"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
BOX = "☐"


def filename(document: RenderedDocument, extension: str) -> str:
    return f"{document.slug}-{document.language}.{extension}"


def _basis(document: RenderedDocument, basis: str) -> str:
    with translation.override(document.language):
        if basis:
            return _("Legal basis: %(basis)s") % {"basis": basis}
        return _("Common practice; no regulation sets this part.")


def _header_lines(document: RenderedDocument) -> tuple[str, str]:
    with translation.override(document.language):
        sources = _("Legal basis: %(basis)s") % {"basis": "; ".join(document.legal_basis)}
        made = _("From the Kembar library of templates. An outline, not legal text.")
    return sources, made


def as_markdown(document: RenderedDocument) -> str:
    """The document as Markdown, readable as plain text."""
    sources, made = _header_lines(document)
    out = [
        f"# {document.title}",
        "",
        document.summary,
        "",
        f"*{sources}*",
        "",
        f"> {document.note}",
    ]
    out += ["", f"<!-- {made} -->", ""]
    for section in document.sections:
        out += [
            f"## {section.number}. {section.heading}",
            "",
            f"*{_basis(document, section.basis)}*",
            "",
        ]
        marker = "- [ ]" if document.is_checklist else "-"
        out += [f"{marker} {line}" for line in section.lines]
        out.append("")
    return "\n".join(out)


_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{_WORD_MAIN}"/>'
    f'<Override PartName="/docProps/core.xml" ContentType="{_CORE_TYPE}"/>'
    "</Types>"
)

_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    f'<Relationship Id="rId2" Type="{_PACKAGE}/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)

_CORE = (
    f'{_XML}<cp:coreProperties xmlns:cp="{_PACKAGE}/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>{title}</dc:title><dc:language>{language}</dc:language>"
    "<dc:creator>Kembar</dc:creator></cp:coreProperties>"
)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraph(text: str, *, size: int = 22, bold: bool = False, italic: bool = False) -> str:
    """One paragraph; ``size`` in half-points (22 = 11 pt)."""
    style = f'<w:sz w:val="{size}"/>' + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    run = f'<w:rPr>{style}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t>'
    return f"<w:p><w:r>{run}</w:r></w:p>"


def as_docx(document: RenderedDocument) -> bytes:
    """The document as a Word file (DOCX)."""
    sources, made = _header_lines(document)
    body = [
        _paragraph(document.title, size=32, bold=True),
        _paragraph(document.summary),
        _paragraph(sources, italic=True),
        _paragraph(document.note, italic=True),
    ]
    for section in document.sections:
        body.append(_paragraph(f"{section.number}. {section.heading}", size=26, bold=True))
        body.append(_paragraph(_basis(document, section.basis), size=20, italic=True))
        prefix = f"{BOX} " if document.is_checklist else "• "
        body += [_paragraph(prefix + line) for line in section.lines]
    body.append(_paragraph(made, size=18, italic=True))
    xml = (
        f'{_XML}<w:document xmlns:w="{_W}"><w:body>{"".join(body)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr>'
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", xml)
        archive.writestr(
            "docProps/core.xml",
            _CORE.format(title=escape(document.title), language=document.language),
        )
    return buffer.getvalue()
