"""The library of templates every region starts from, read from ``kembar/data/guidance/``.

``library.json`` lists the legal sources, the placeholders and the template
files (``letter-of-intent.json``, ``cooperation-plan.json``, ``mou.json``).
A template is a structured outline, not legal text: sections with a heading,
the article they come from (``basis``; empty for common drafting practice)
and lines in both languages that may hold placeholders such as ``{region}``.
A placeholder is shown as ``[nama daerah]`` until it is filled; for a
signed-in staff user the region is filled in with their region's name.

The checklists (:mod:`kembar.guidance.checklists`) are documents of the same
shape, built from the lifecycle file, so that pages and downloads treat both
alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from kembar.geo.errors import ReferenceDataError

__all__ = [
    "LIBRARY_DIR",
    "Bilingual",
    "Document",
    "Library",
    "RenderedDocument",
    "Section",
    "Source",
    "library_read",
    "render",
]

#: The folder of the library, under ``KEMBAR_DATA_DIR``.
LIBRARY_DIR = "guidance"
KINDS = ("template", "checklist")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Bahasa Indonesia and English."""

    id: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") and self.en else self.id


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: Bilingual
    basis: str
    lines: tuple[Bilingual, ...]


@dataclass(frozen=True, slots=True)
class Document:
    slug: str
    kind: str
    title: Bilingual
    summary: Bilingual
    note: Bilingual
    legal_basis: tuple[str, ...]
    sections: tuple[Section, ...]
    stage: str = ""
    document_kind: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    code: str
    title: Bilingual
    note: Bilingual


@dataclass(frozen=True, slots=True)
class Library:
    sources: tuple[Source, ...]
    placeholders: dict[str, Bilingual]
    templates: tuple[Document, ...]


@dataclass(frozen=True, slots=True)
class RenderedSection:
    number: int
    key: str
    heading: str
    basis: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A document in one language with its placeholders filled or shown as ``[label]``."""

    slug: str
    kind: str
    title: str
    summary: str
    note: str
    legal_basis: tuple[str, ...]
    sections: tuple[RenderedSection, ...]
    language: str
    filled: dict[str, str] = field(default_factory=dict)
    #: The placeholders still to fill in, by name.
    unfilled: tuple[str, ...] = ()

    @property
    def is_checklist(self) -> bool:
        return self.kind == "checklist"


def _text(path: Path, where: str, item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(path, f"{where}: {key} must be a non-empty text")
    return value


def _pair(path: Path, where: str, item: Mapping[str, Any], key: str) -> Bilingual:
    return Bilingual(_text(path, where, item, f"{key}_id"), _text(path, where, item, f"{key}_en"))


def _lines(path: Path, where: str, section: Mapping[str, Any]) -> tuple[Bilingual, ...]:
    indonesian, english = section.get("lines_id"), section.get("lines_en")
    if not isinstance(indonesian, list) or not isinstance(english, list) or not indonesian:
        raise ReferenceDataError(path, f"{where}: lines_id and lines_en must be lists of texts")
    if len(indonesian) != len(english):
        raise ReferenceDataError(path, f"{where}: lines_id and lines_en differ in length")
    lines = []
    for number, (text_id, text_en) in enumerate(zip(indonesian, english, strict=True), start=1):
        pair = {"line_id": text_id, "line_en": text_en}
        lines.append(_pair(path, f"{where} line {number}", pair, "line"))
    return tuple(lines)


def _placeholders_used(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _document(path: Path, raw: Any, placeholders: Mapping[str, Bilingual]) -> Document:
    if not isinstance(raw, dict):
        raise ReferenceDataError(path, "expected an object")
    slug = _text(path, "document", raw, "slug")
    if raw.get("kind") not in KINDS:
        raise ReferenceDataError(path, f"kind must be one of {', '.join(KINDS)}")
    header = raw.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("legal_basis"), list):
        raise ReferenceDataError(path, "header must be an object with a legal_basis list")
    if not header["legal_basis"]:
        raise ReferenceDataError(path, "header: legal_basis names no source")
    sections = []
    keys: set[str] = set()
    for number, section in enumerate(raw.get("sections") or [], start=1):
        where = f"sections[{number}]"
        if not isinstance(section, dict):
            raise ReferenceDataError(path, f"{where}: expected an object")
        key = _text(path, where, section, "key")
        if key in keys:
            raise ReferenceDataError(path, f"{where}: key {key} repeats")
        keys.add(key)
        basis = section.get("basis", "")
        if not isinstance(basis, str):
            raise ReferenceDataError(path, f"{where}: basis must be a text (empty: practice)")
        lines = _lines(path, where, section)
        for line in lines:
            unknown = (_placeholders_used(line.id) | _placeholders_used(line.en)) - set(
                placeholders
            )
            if unknown:
                raise ReferenceDataError(
                    path, f"{where}: unknown placeholder {', '.join(sorted(unknown))}"
                )
        sections.append(Section(key, _pair(path, where, section, "heading"), basis, lines))
    if not sections:
        raise ReferenceDataError(path, "the document has no sections")
    return Document(
        slug=slug,
        kind=raw["kind"],
        title=_pair(path, "document", raw, "title"),
        summary=_pair(path, "document", raw, "summary"),
        note=_pair(path, "header", header, "note"),
        legal_basis=tuple(str(item) for item in header["legal_basis"]),
        sections=tuple(sections),
        stage=str(raw.get("stage", "")),
        document_kind=str(raw.get("document_kind", "")),
    )


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None


@lru_cache(maxsize=4)
def _library_cached(folder: str, _stamp: tuple[int, ...]) -> Library:
    base = Path(folder)
    index_path = base / "library.json"
    index = _json(index_path)
    if not isinstance(index, dict):
        raise ReferenceDataError(index_path, "expected an object")
    placeholders = {}
    for name, labels in (index.get("placeholders") or {}).items():
        placeholders[name] = _pair(
            index_path,
            f"placeholders.{name}",
            {
                "label_id": labels.get("id") if isinstance(labels, dict) else None,
                "label_en": labels.get("en") if isinstance(labels, dict) else None,
            },
            "label",
        )
    sources = tuple(
        Source(
            code=_text(index_path, f"sources[{n}]", item, "code"),
            title=_pair(index_path, f"sources[{n}]", item, "title"),
            note=_pair(index_path, f"sources[{n}]", item, "note"),
        )
        for n, item in enumerate(index.get("sources") or [], start=1)
    )
    templates = []
    for name in index.get("documents") or []:
        templates.append(_document(base / name, _json(base / name), placeholders))
    slugs = [item.slug for item in templates]
    if len(slugs) != len(set(slugs)):
        raise ReferenceDataError(index_path, "two documents have the same slug")
    return Library(sources=sources, placeholders=placeholders, templates=tuple(templates))


def library_read(folder: Path | None = None) -> Library:
    """The library in ``folder`` (default ``KEMBAR_DATA_DIR/guidance``), re-read on change."""
    base = folder or Path(settings.KEMBAR_DATA_DIR) / LIBRARY_DIR
    stamp = tuple(path.stat().st_mtime_ns for path in sorted(base.glob("*.json")) if path.is_file())
    return _library_cached(str(base), stamp)


def _fill(
    text: str, language: str, placeholders: Mapping[str, Bilingual], fill: Mapping[str, str]
) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if fill.get(name):
            return fill[name]
        label = placeholders.get(name)
        return f"[{label.get(language) if label else name}]"

    return PLACEHOLDER.sub(value, text)


def render(
    document: Document,
    *,
    language: str,
    placeholders: Mapping[str, Bilingual],
    fill: Mapping[str, str] | None = None,
) -> RenderedDocument:
    """``document`` in ``language`` (``id`` or ``en``), placeholders in ``fill`` filled in."""
    filled = {name: value for name, value in (fill or {}).items() if value}
    sections = tuple(
        RenderedSection(
            number=number,
            key=section.key,
            heading=section.heading.get(language),
            basis=section.basis,
            lines=tuple(
                _fill(line.get(language), language, placeholders, filled) for line in section.lines
            ),
        )
        for number, section in enumerate(document.sections, start=1)
    )
    texts = [document.title.get(language), document.summary.get(language)]
    texts += [line.get(language) for section in document.sections for line in section.lines]
    used = {name for text in texts for name in PLACEHOLDER.findall(text)}
    return RenderedDocument(
        slug=document.slug,
        kind=document.kind,
        title=_fill(document.title.get(language), language, placeholders, filled),
        summary=_fill(document.summary.get(language), language, placeholders, filled),
        note=document.note.get(language),
        legal_basis=document.legal_basis,
        sections=sections,
        language=language,
        filled=filled,
        unfilled=tuple(sorted(used - set(filled))),
    )
