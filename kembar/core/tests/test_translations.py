"""Every user-facing string has its Bahasa Indonesia text, compiled into the shipped catalogue."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "kembar" / "locale" / "id" / "LC_MESSAGES"


def _entries(text: str) -> list[dict[str, str]]:
    """The entries of a PO file as ``{"msgid", "msgid_plural", "msgstr", "flags", …}``."""
    entries = []
    for block in text.split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, rest = line.partition(" ")
                entry[key] = ast.literal_eval(rest)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _untranslated(entry: dict[str, str]) -> bool:
    if entry.get("msgid_plural") is not None:
        return not entry.get("msgstr[0]")
    return not entry.get("msgstr")


def test_every_message_has_its_indonesian_text() -> None:
    entries = [e for e in _entries((CATALOGUE / "django.po").read_text("utf-8")) if e["msgid"]]

    assert len(entries) > 1000
    assert [e["msgid"] for e in entries if _untranslated(e)] == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_the_compiled_catalogue_holds_every_message() -> None:
    entries = [e for e in _entries((CATALOGUE / "django.po").read_text("utf-8")) if e["msgid"]]
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    missing = []
    for entry in entries:
        context = entry.get("msgctxt")
        if entry.get("msgid_plural") is not None:
            text = (
                catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context is not None
                else catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
            expected = entry["msgstr[0]"]
        else:
            text = (
                catalogue.pgettext(context, entry["msgid"])
                if context is not None
                else catalogue.gettext(entry["msgid"])
            )
            expected = entry["msgstr"]
        if text != expected:
            missing.append(entry["msgid"])
    assert missing == []
