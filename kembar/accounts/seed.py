"""The starting organisations of a region (``kembar/data/<region>/organisations.csv``)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from kembar.accounts.models import Organisation, OrganisationKind
from kembar.geo.errors import ReferenceDataError
from kembar.geo.sources import read_csv

__all__ = ["ORGANISATIONS_FILE", "OrganisationRow", "organisations_apply", "organisations_read"]

ORGANISATIONS_FILE = "semarang/organisations.csv"


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    slug: str
    name: str
    kind: str
    parent: str | None
    region: str | None
    city: int | None


def organisations_read(
    path: Path, *, regions: Container[str], geonameids: Container[int]
) -> list[OrganisationRow]:
    """Read and check the organisations file; parents must come before their units."""
    rows: list[OrganisationRow] = []
    seen: set[str] = set()
    columns = ("slug", "name", "kind", "parent", "region", "city_geonameid")
    for line, raw in read_csv(path, columns):
        if not raw["slug"] or raw["slug"] in seen:
            raise ReferenceDataError(
                path, f"column slug: {raw['slug']!r} is empty or repeats", line=line
            )
        if raw["kind"] not in OrganisationKind.values:
            raise ReferenceDataError(path, f"column kind: {raw['kind']!r} is not a kind", line=line)
        if raw["parent"] and raw["parent"] not in seen:
            raise ReferenceDataError(
                path, f"column parent: {raw['parent']!r} is not an earlier row", line=line
            )
        if raw["region"] and raw["region"] not in regions:
            raise ReferenceDataError(
                path, f"column region: {raw['region']!r} is not a region", line=line
            )
        city = int(raw["city_geonameid"]) if raw["city_geonameid"].isdigit() else None
        if raw["city_geonameid"] and (city is None or city not in geonameids):
            raise ReferenceDataError(
                path, f"column city_geonameid: {raw['city_geonameid']!r} is not a city", line=line
            )
        seen.add(raw["slug"])
        rows.append(
            OrganisationRow(
                raw["slug"],
                raw["name"],
                raw["kind"],
                raw["parent"] or None,
                raw["region"] or None,
                city,
            )
        )
    return rows


def organisations_apply(rows: list[OrganisationRow]) -> dict[str, int]:
    """Create the organisations that do not exist yet; leave existing ones as staff set them."""
    existing = dict(Organisation.objects.values_list("slug", "id"))
    created = 0
    for row in rows:
        if row.slug in existing:
            continue
        organisation = Organisation.objects.create(
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            parent_id=existing.get(row.parent) if row.parent else None,
            region_id=row.region,
            city_id=row.city,
        )
        existing[row.slug] = organisation.id
        created += 1
    return {"created": created, "kept": len(rows) - created}
