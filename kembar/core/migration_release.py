"""Released migrations are frozen: their SHA-256 is listed and must never change.

A database that ran a migration never runs it again, so editing one that has
shipped changes the schema of new installations only: the code and the
databases already in service drift apart without anyone noticing.  A change
is always a new migration.  ``released_migrations.txt`` lists every migration
of a release; ``manage.py release_migrations`` adds the new ones at release
time, and a test fails when a listed file has changed or disappeared.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = [
    "LISTING",
    "ReleaseCheck",
    "migration_files",
    "release_check",
    "release_new_migrations",
    "released_migrations",
]

LISTING = Path(__file__).with_name("released_migrations.txt")
_HEADER = (
    "# SHA-256 of every released migration of Kembar. A listed file is never edited again:\n"
    "# change the schema with a new migration. At each release, list the new ones with\n"
    "#   python manage.py release_migrations\n"
)


@dataclass(frozen=True, slots=True)
class ReleaseCheck:
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    unreleased: tuple[str, ...]

    @property
    def broken(self) -> bool:
        return bool(self.changed or self.missing)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def migration_files(root: Path | None = None) -> dict[str, str]:
    """Every migration module of Kembar's apps (relative path → SHA-256)."""
    root = root or Path(settings.BASE_DIR)
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.glob("kembar/*/migrations/[0-9]*.py"))
    }


def released_migrations(listing: Path = LISTING) -> dict[str, str]:
    """The listed migrations (relative path → SHA-256)."""
    released: dict[str, str] = {}
    if not listing.exists():
        return released
    for line in listing.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, path = line.split(maxsplit=1)
            released[path.strip()] = digest
    return released


def release_check(*, root: Path | None = None, listing: Path = LISTING) -> ReleaseCheck:
    present = migration_files(root)
    released = released_migrations(listing)
    return ReleaseCheck(
        changed=tuple(p for p, d in released.items() if p in present and present[p] != d),
        missing=tuple(p for p in released if p not in present),
        unreleased=tuple(p for p in present if p not in released),
    )


def release_new_migrations(*, root: Path | None = None, listing: Path = LISTING) -> list[str]:
    """Append the migrations not yet listed; returns their paths.

    Call only when no listed migration has changed (see :func:`release_check`).
    """
    present = migration_files(root)
    new = [path for path in present if path not in released_migrations(listing)]
    text = listing.read_text() if listing.exists() else _HEADER
    if new:
        listing.write_text(text + "".join(f"{present[path]}  {path}\n" for path in new))
    return new
