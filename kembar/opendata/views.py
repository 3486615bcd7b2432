"""The open-data page and files at ``/open-data/``.

Every view here is public and read-only: anyone may GET or HEAD it
(``require_safe``), as the public pages are; nothing depends on who asks.
What is served is the package :mod:`kembar.opendata.build` published; before
the first build the first request builds it.  Answers may be kept for five
minutes (the task queue rebuilds the package at most that often).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from kembar.opendata.build import LICENSE, PackageState, package_or_build
from kembar.opendata.catalog import FORMATS, catalog
from kembar.opendata.datasets import DATASETS, dataset_get

_Response = TypeVar("_Response", bound=HttpResponseBase)

#: Seconds a browser or proxy may keep an answer.
MAX_AGE = 300
_CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _cached(response: _Response) -> _Response:
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    name: str
    title: str
    description: str
    rows: int
    files: list[tuple[str, str, int]]


def _entries(state: PackageState) -> list[DatasetEntry]:
    language = get_language() or "id"
    entries = []
    for dataset in DATASETS:
        files = []
        for suffix, _media_type, label in FORMATS:
            name = f"{dataset.name}.{suffix}"
            files.append((label, name, (state.path / name).stat().st_size))
        with open(state.path / f"{dataset.name}.json", encoding="utf-8") as handle:
            rows = len(json.load(handle))
        entries.append(
            DatasetEntry(
                name=dataset.name,
                title=dataset.title(language),
                description=dataset.description(language),
                rows=rows,
                files=files,
            )
        )
    return entries


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Public, read-only: every dataset with its description, licence, update time and files."""
    state = package_or_build()
    context = {
        "entries": _entries(state),
        "built_at": state.built_at,
        "license": LICENSE,
        "package_size": (state.path / "datapackage.json").stat().st_size,
    }
    return _cached(render(request, "opendata/index.html", context))


def _file(state: PackageState, name: str, content_type: str) -> HttpResponse:
    # Read whole: the build that wrote it may be pruned while a stream is still open.
    response = HttpResponse((state.path / name).read_bytes(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return _cached(response)


@require_safe
def datapackage(request: HttpRequest) -> HttpResponse:
    """Public, read-only: the Frictionless descriptor of the package."""
    return _file(package_or_build(), "datapackage.json", "application/json")


@require_safe
def dataset_file(request: HttpRequest, dataset: str, suffix: str) -> HttpResponse:
    """Public, read-only: one dataset as CSV or JSON; an unknown name is not found."""
    if dataset_get(dataset) is None or suffix not in _CONTENT_TYPES:
        raise Http404
    return _file(package_or_build(), f"{dataset}.{suffix}", _CONTENT_TYPES[suffix])


@require_safe
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    """Public, read-only: the DCAT catalogue of the datasets, in JSON-LD."""
    response = JsonResponse(
        catalog(package_or_build()),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    return _cached(response)
