"""Read and check the starting record of a region's partnerships (``kembar/data/semarang``).

Reads only; checks that every code points at something the geographic
reference holds, so that the loader can refuse a bad file before writing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path

from kembar.geo.errors import ReferenceDataError
from kembar.geo.sources import read_csv
from kembar.partnerships.models import (
    Confidence,
    DatePrecision,
    DocumentedStatus,
    EventKind,
    RelationshipType,
)

__all__ = [
    "PARTNERSHIP_FILES",
    "AgreementRow",
    "EventRow",
    "FocusAreaRow",
    "PartnershipRow",
    "PartnershipSeed",
    "partnership_seed_read",
]

PARTNERSHIP_FILES = {
    "partnerships": "semarang/semarang_partnerships.csv",
    "events": "semarang/semarang_partnership_events.csv",
    "agreements": "semarang/semarang_partnership_agreements.csv",
    "focus_areas": "semarang/focus_areas.csv",
    "partner_geonames": "semarang/partner_geonames.csv",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class FocusAreaRow:
    slug: str
    name_id: str
    name_en: str


@dataclass(frozen=True, slots=True)
class PartnershipRow:
    slug: str
    local_region: str
    partner_name: str
    partner_region_name: str
    partner_country: str
    partner_geonameid: int | None
    relationship_type: str
    documented_status: str
    confidence: str
    sources: str
    focus_areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventRow:
    partnership: str
    date: dt.date
    precision: str
    kind: str
    detail_id: str
    detail_en: str
    source: str


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """An agreement the sources document, with its dates as precisely as they give them.

    ``valid_until`` is ``None`` when the sources do not state the end of validity.
    """

    partnership: str
    kind: str
    title: str
    signed_on: dt.date
    signed_on_precision: str
    valid_until: dt.date | None
    valid_until_precision: str
    source: str


@dataclass(frozen=True, slots=True)
class PartnershipSeed:
    focus_areas: list[FocusAreaRow]
    partnerships: list[PartnershipRow]
    events: list[EventRow]
    agreements: list[AgreementRow]


def _choice(path: Path, line: int, column: str, value: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise ReferenceDataError(
            path, f"column {column}: {value!r} is not one of {', '.join(allowed)}", line=line
        )
    return value


def parse_partial_date(path: Path, line: int, value: str, precision: str) -> dt.date:
    """``1993-01-11`` (day), ``2025-05`` (month) or ``1997`` (year) as a date.

    A month or a year becomes its first day; the precision says how to show it.
    """
    pattern = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}[precision]
    if not re.fullmatch(pattern, value):
        raise ReferenceDataError(
            path, f"column date: {value!r} does not match precision {precision}", line=line
        )
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise ReferenceDataError(path, f"column date: {value!r}: {exc}", line=line) from None


def partnership_seed_read(
    data_dir: Path,
    *,
    regions: Container[str],
    countries: Container[str],
    geonameids: Container[int],
    document_kinds: Mapping[str, bool],
) -> PartnershipSeed:
    """Read the partnerships, their events and agreements, focus areas and GeoNames crosswalk.

    ``document_kinds`` maps each document kind's code to whether it has a
    validity period (agreements must be of such a kind).
    """
    paths = {name: data_dir / relative for name, relative in PARTNERSHIP_FILES.items()}

    focus_areas: dict[str, FocusAreaRow] = {}
    for line, raw in read_csv(paths["focus_areas"], ("slug", "name_id", "name_en")):
        if not _SLUG.match(raw["slug"]):
            raise ReferenceDataError(
                paths["focus_areas"], f"column slug: {raw['slug']!r} is not a slug", line=line
            )
        focus_areas[raw["name_en"].casefold()] = FocusAreaRow(
            raw["slug"], raw["name_id"], raw["name_en"]
        )

    crosswalk: dict[str, int] = {}
    for line, raw in read_csv(paths["partner_geonames"], ("partnership_id", "geonameid")):
        try:
            geonameid = int(raw["geonameid"])
        except ValueError:
            raise ReferenceDataError(
                paths["partner_geonames"],
                f"column geonameid: {raw['geonameid']!r} is not a whole number",
                line=line,
            ) from None
        if geonameid not in geonameids:
            raise ReferenceDataError(
                paths["partner_geonames"],
                f"column geonameid: {geonameid} is not a GeoNames city Kembar knows",
                line=line,
            )
        crosswalk[raw["partnership_id"]] = geonameid

    path = paths["partnerships"]
    partnerships: dict[str, PartnershipRow] = {}
    columns = (
        "partnership_id",
        "local_region_kode",
        "partner_city",
        "partner_region",
        "partner_country_iso2",
        "relationship_type",
        "status_as_documented",
        "focus_areas",
        "confidence",
        "sources",
    )
    for line, raw in read_csv(path, columns):
        slug = raw["partnership_id"]
        if not _SLUG.match(slug):
            raise ReferenceDataError(
                path, f"column partnership_id: {slug!r} is not a slug", line=line
            )
        if slug in partnerships:
            raise ReferenceDataError(path, f"column partnership_id: {slug} repeats", line=line)
        if raw["local_region_kode"] not in regions:
            raise ReferenceDataError(
                path,
                f"column local_region_kode: {raw['local_region_kode']!r} is not a region",
                line=line,
            )
        if raw["partner_country_iso2"] not in countries:
            raise ReferenceDataError(
                path,
                f"column partner_country_iso2: {raw['partner_country_iso2']!r} is not a country",
                line=line,
            )
        if not raw["partner_city"]:
            raise ReferenceDataError(path, "column partner_city is empty", line=line)
        areas = []
        for name in filter(None, (part.strip() for part in raw["focus_areas"].split(";"))):
            area = focus_areas.get(name.casefold())
            if area is None:
                raise ReferenceDataError(
                    path,
                    f"column focus_areas: {name!r} is not in {paths['focus_areas'].name}",
                    line=line,
                )
            areas.append(area.slug)
        partnerships[slug] = PartnershipRow(
            slug=slug,
            local_region=raw["local_region_kode"],
            partner_name=raw["partner_city"],
            partner_region_name=raw["partner_region"],
            partner_country=raw["partner_country_iso2"],
            partner_geonameid=crosswalk.get(slug),
            relationship_type=_choice(
                path, line, "relationship_type", raw["relationship_type"], RelationshipType.values
            ),
            documented_status=_choice(
                path,
                line,
                "status_as_documented",
                raw["status_as_documented"],
                DocumentedStatus.values,
            ),
            confidence=_choice(path, line, "confidence", raw["confidence"], Confidence.values),
            sources=raw["sources"],
            focus_areas=tuple(areas),
        )

    path = paths["events"]
    events: dict[tuple[str, dt.date, str], EventRow] = {}
    for line, raw in read_csv(
        path,
        ("partnership_id", "date", "date_precision", "event", "detail_id", "detail_en", "source"),
    ):
        if raw["partnership_id"] not in partnerships:
            raise ReferenceDataError(
                path,
                f"column partnership_id: {raw['partnership_id']!r} is not a partnership "
                f"in {paths['partnerships'].name}",
                line=line,
            )
        precision = _choice(
            path, line, "date_precision", raw["date_precision"], DatePrecision.values
        )
        event = EventRow(
            partnership=raw["partnership_id"],
            date=parse_partial_date(path, line, raw["date"], precision),
            precision=precision,
            kind=_choice(path, line, "event", raw["event"], EventKind.values),
            detail_id=raw["detail_id"],
            detail_en=raw["detail_en"],
            source=raw["source"],
        )
        natural = (event.partnership, event.date, event.kind)
        if natural in events:
            raise ReferenceDataError(
                path, "the same event (partnership, date, event) repeats", line=line
            )
        events[natural] = event
    return PartnershipSeed(
        focus_areas=sorted(focus_areas.values(), key=lambda area: area.slug),
        partnerships=list(partnerships.values()),
        events=list(events.values()),
        agreements=_agreements_read(
            paths["agreements"], partnerships=partnerships, document_kinds=document_kinds
        ),
    )


def _agreements_read(
    path: Path, *, partnerships: Container[str], document_kinds: Mapping[str, bool]
) -> list[AgreementRow]:
    columns = (
        "partnership_id",
        "kind",
        "title",
        "signed_on",
        "signed_on_precision",
        "valid_until",
        "valid_until_precision",
        "source",
    )
    agreements: dict[tuple[str, str], AgreementRow] = {}
    for line, raw in read_csv(path, columns):
        if raw["partnership_id"] not in partnerships:
            raise ReferenceDataError(
                path,
                f"column partnership_id: {raw['partnership_id']!r} is not a partnership",
                line=line,
            )
        if not document_kinds.get(raw["kind"], False):
            with_validity = sorted(code for code, valid in document_kinds.items() if valid)
            raise ReferenceDataError(
                path,
                f"column kind: {raw['kind']!r} is not a kind of agreement "
                f"({', '.join(with_validity)})",
                line=line,
            )
        if not raw["title"] or not raw["source"]:
            raise ReferenceDataError(path, "columns title and source must not be empty", line=line)
        signed_precision = _choice(
            path, line, "signed_on_precision", raw["signed_on_precision"], DatePrecision.values
        )
        signed_on = parse_partial_date(path, line, raw["signed_on"], signed_precision)
        valid_until = None
        until_precision = raw["valid_until_precision"] or DatePrecision.DAY
        if raw["valid_until"]:
            until_precision = _choice(
                path, line, "valid_until_precision", until_precision, DatePrecision.values
            )
            valid_until = parse_partial_date(path, line, raw["valid_until"], until_precision)
            if valid_until < signed_on:
                raise ReferenceDataError(
                    path, "column valid_until: the validity ends before the signing", line=line
                )
        key = (raw["partnership_id"], raw["kind"])
        if key in agreements:
            # The seed records one agreement of a kind; later versions are uploaded by staff.
            raise ReferenceDataError(
                path, "the same agreement (partnership, kind) repeats", line=line
            )
        agreements[key] = AgreementRow(
            partnership=raw["partnership_id"],
            kind=raw["kind"],
            title=raw["title"],
            signed_on=signed_on,
            signed_on_precision=signed_precision,
            valid_until=valid_until,
            valid_until_precision=str(until_precision),
            source=raw["source"],
        )
    return list(agreements.values())
