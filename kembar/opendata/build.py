"""Write the public datasets as a Frictionless data package, and publish it atomically.

:func:`build_package` writes each dataset of :data:`~kembar.opendata.datasets.DATASETS`
as ``<name>.csv`` (UTF-8, a header row) and ``<name>.json`` (an array of
objects), and ``datapackage.json`` describing the CSV files (Table Schema,
bytes, SHA-256).  The same data gives the same bytes: rows are sorted, nothing
records when it was built, and the texts are built in the default language.
It writes into a new folder beside ``out_dir`` and swaps it in at the end.

:func:`publish` keeps the package served at ``/open-data/``: each build goes to
a folder of its own under ``KEMBAR_OPEN_DATA_DIR/builds/`` and the symbolic
link ``current`` is replaced in one step (``rename``), so a reader opens
either the whole old package or the whole new one.  Beside the package, the
build writes ``stamp.json`` with the public-data generation it was made under
(:func:`kembar.common.public_cache.generation`) and the time it was built;
:func:`publish_if_changed` rebuilds only when the generation moved on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from kembar.common.public_cache import generation
from kembar.common.tabular import csv_writer
from kembar.opendata.datasets import DATASETS, Dataset
from kembar.opendata.rows import PublicRecord, public_record

__all__ = [
    "LICENSE",
    "PackageState",
    "build_package",
    "package_dir",
    "package_or_build",
    "package_state",
    "publish",
    "publish_if_changed",
]

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
STAMP = "stamp.json"
CURRENT = "current"
BUILDS = "builds"
#: Earlier builds kept after a swap, for readers still holding one open.
KEEP_BUILDS = 2


# --- Writing the files -------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    # Decimals as strings, as the API gives them: no amount loses precision in a float.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_bytes(dataset: Dataset, rows: list[dict[str, Any]]) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv_writer(stream, lineterminator="\n")
    writer.writerow(dataset.field_names)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in dataset.field_names])
    return stream.getvalue().encode("utf-8")


def _json_bytes(dataset: Dataset, rows: list[dict[str, Any]]) -> bytes:
    items = [{name: _json_value(row[name]) for name in dataset.field_names} for row in rows]
    return (json.dumps(items, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _resource(dataset: Dataset, content: bytes) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "path": f"{dataset.name}.csv",
        "title": dataset.title_en,
        "description": dataset.description_en,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "schema": dataset.schema(),
    }


def _descriptor(record: PublicRecord, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": f"kembar-{record.region}".lower(),
        "title": f"Kembar: kerja sama luar negeri {record.region_name} / "
        f"international cooperation of {record.region_name}",
        "description": (
            "Public data of the international cooperation of the region: partnerships, their "
            "events and lifecycle moves, activities, budgets, contributions, results, reach "
            "(small counts suppressed), economic effects and input-output multipliers."
        ),
        "homepage": f"{settings.KEMBAR_SITE_URL}/open-data/",
        "licenses": [LICENSE],
        "keywords": ["kerja sama luar negeri", "sister city", record.region_name],
        "resources": resources,
    }


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def build_package(out_dir: Path, *, region: str | None = None) -> dict[str, Any]:
    """Write the data package into ``out_dir`` (replacing what is there); return its descriptor."""
    out_dir = Path(out_dir)
    region = region or settings.KEMBAR_HOME_REGION
    with translation.override(settings.LANGUAGE_CODE):
        record = public_record(region=region)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        resources = []
        for dataset in DATASETS:
            rows = record.rows[dataset.name]
            content = _csv_bytes(dataset, rows)
            _write(work / f"{dataset.name}.csv", content)
            _write(work / f"{dataset.name}.json", _json_bytes(dataset, rows))
            resources.append(_resource(dataset, content))
        descriptor = _descriptor(record, resources)
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        _write(work / "datapackage.json", text.encode("utf-8"))
        os.chmod(work, 0o755)  # noqa: S103 - public files, read by the web server
        _swap_in(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return descriptor


def _swap_in(work: Path, out_dir: Path) -> None:
    """Put the folder ``work`` at ``out_dir``; an old folder there is removed after."""
    if not out_dir.exists() and not out_dir.is_symlink():
        os.rename(work, out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
    old.rmdir()
    os.rename(out_dir, old)
    os.rename(work, out_dir)
    if old.is_symlink():
        old.unlink()
    else:
        shutil.rmtree(old, ignore_errors=True)


# --- The package served at /open-data/ ---------------------------------------------------------


def _root() -> Path:
    return Path(settings.KEMBAR_OPEN_DATA_DIR)


def package_dir() -> Path | None:
    """The folder of the package being served, or ``None`` before the first build."""
    current = _root() / CURRENT
    return current.resolve() if (current / "datapackage.json").is_file() else None


@dataclass(frozen=True, slots=True)
class PackageState:
    """The package served now: where it is, what it describes, and when it was built."""

    path: Path
    descriptor: dict[str, Any]
    generation: str
    built_at: dt.datetime


def package_state() -> PackageState | None:
    """The package being served, read from its own folder (``None`` before the first build)."""
    path = package_dir()
    if path is None:
        return None
    descriptor = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
    stamp = json.loads((path / STAMP).read_text(encoding="utf-8"))
    return PackageState(
        path=path,
        descriptor=descriptor,
        generation=stamp["generation"],
        built_at=dt.datetime.fromisoformat(stamp["built_at"]),
    )


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time on this machine (the worker and a first request may race)."""
    _root().mkdir(parents=True, exist_ok=True)
    with open(_root() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish_locked() -> PackageState:
    # Read before the build: a change during the build gives a newer stamp, so a rebuild.
    token = generation()[0]
    builds = _root() / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    target = builds / f"{now:%Y%m%dT%H%M%S%f}-{token}"
    build_package(target)
    stamp = {"generation": token, "built_at": now.isoformat()}
    (target / STAMP).write_text(json.dumps(stamp) + "\n", encoding="utf-8")
    link = _root() / f".{CURRENT}-{token}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(Path(BUILDS) / target.name)
    os.replace(link, _root() / CURRENT)
    _prune(builds, keep=target)
    state = package_state()
    assert state is not None  # noqa: S101 - just written
    return state


def _prune(builds: Path, *, keep: Path) -> None:
    older = sorted(path for path in builds.iterdir() if path != keep and path.is_dir())
    for path in older[: max(0, len(older) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def publish() -> PackageState:
    """Build the package and serve it from now on."""
    with _build_lock():
        return _publish_locked()


def publish_if_changed() -> PackageState | None:
    """Rebuild when the public data changed since the package served was built.

    Returns the new state, or ``None`` when nothing changed.
    """
    with _build_lock():
        state = package_state()
        if state is not None and state.generation == generation()[0]:
            return None
        return _publish_locked()


def package_or_build() -> PackageState:
    """The package served, built first if there is none yet (the first request after install)."""
    state = package_state()
    if state is not None:
        return state
    with _build_lock():
        return package_state() or _publish_locked()
