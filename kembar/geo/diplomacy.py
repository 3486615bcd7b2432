"""Indonesia's diplomatic relations (PP 28/2018 Pasal 27 huruf a): the list and its reads.

The shipped list (``diplomacy/diplomatic_relations.csv``, with its source in
``kembar/data/diplomacy/README.md``) seeds the table once; an administrator
keeps it afterwards, so a later load adds missing countries and overwrites
nothing.  The recommender and the Pasal 27 checklist read the same table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from kembar.common.public_cache import bump
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import DiplomaticRelation
from kembar.geo.sources import read_csv

__all__ = [
    "DIPLOMACY_FILE",
    "LEGAL_BASIS",
    "DiplomaticRow",
    "countries_without_relations",
    "diplomatic_relations_apply",
    "diplomatic_relations_read",
]

#: The shipped list, relative to the data directory.
DIPLOMACY_FILE = "diplomacy/diplomatic_relations.csv"
#: Why a country without relations is left out, as the pages and the API say it.
LEGAL_BASIS = _("no diplomatic relations (PP 28/2018 Pasal 27)")

_COLUMNS = ("iso2", "has_relations", "note", "source", "checked_on")
_YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True, slots=True)
class DiplomaticRow:
    iso2: str
    has_relations: bool
    note: str
    source: str
    checked_on: dt.date


def diplomatic_relations_read(path: Path, *, countries: set[str]) -> list[DiplomaticRow]:
    """Read and check the list; every country must be known, and appear once."""
    rows: list[DiplomaticRow] = []
    seen: set[str] = set()
    for line, row in read_csv(path, _COLUMNS):
        iso2 = row["iso2"].upper()
        if iso2 not in countries:
            raise ReferenceDataError(path, f"unknown country code {iso2!r}", line=line)
        if iso2 in seen:
            raise ReferenceDataError(path, f"country {iso2} listed twice", line=line)
        if row["has_relations"].lower() not in _YES_NO:
            raise ReferenceDataError(
                path, f"has_relations must be yes or no, not {row['has_relations']!r}", line=line
            )
        try:
            checked_on = dt.date.fromisoformat(row["checked_on"])
        except ValueError:
            raise ReferenceDataError(
                path,
                f"checked_on must be a date (YYYY-MM-DD), not {row['checked_on']!r}",
                line=line,
            ) from None
        if not row["source"]:
            raise ReferenceDataError(path, "source is empty", line=line)
        seen.add(iso2)
        rows.append(
            DiplomaticRow(
                iso2, _YES_NO[row["has_relations"].lower()], row["note"], row["source"], checked_on
            )
        )
    return rows


def diplomatic_relations_apply(rows: list[DiplomaticRow]) -> dict[str, Any]:
    """Add the countries the table lacks; keep every existing row as the administrator left it."""
    existing = set(DiplomaticRelation.objects.values_list("country_id", flat=True))
    new = [
        DiplomaticRelation(
            country_id=row.iso2,
            has_relations=row.has_relations,
            note=row.note,
            source=row.source,
            checked_on=row.checked_on,
        )
        for row in rows
        if row.iso2 not in existing
    ]
    DiplomaticRelation.objects.bulk_create(new)
    if new:
        bump()  # bulk_create sends no signal (kembar.common.public_cache)
    return {"created": len(new), "kept": len(rows) - len(new)}


def countries_without_relations() -> dict[str, str]:
    """ISO codes of the countries Indonesia has no diplomatic relations with, and the note."""
    return dict(
        DiplomaticRelation.objects.filter(has_relations=False).values_list("country_id", "note")
    )
