"""The IATI 2.03 files of a region at ``/open-data/iati/<kode>/``.

Public and read-only: anyone may GET or HEAD them (``require_safe``), as the
other open-data files; they hold only what the public pages and API show
(:mod:`kembar.opendata.iati`).  A region without a public activity has no
files (404).  Answers may be kept for five minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from kembar.opendata.iati import IatiError, activities_xml, organisation_xml, region_publishes

#: Seconds a browser or proxy may keep an answer.
MAX_AGE = 300


def _xml(kode: str, build: Callable[[str], bytes], name: str) -> HttpResponse:
    if not region_publishes(kode):
        raise Http404
    try:
        content = build(kode)
    except IatiError:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="iati-{kode}-{name}.xml"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def iati_activities(request: HttpRequest, kode: str) -> HttpResponse:
    """Public, read-only: the IATI activity file of the region's public activities."""
    return _xml(kode, activities_xml, "activities")


@require_safe
def iati_organisation(request: HttpRequest, kode: str) -> HttpResponse:
    """Public, read-only: the IATI organisation file of the region's government."""
    return _xml(kode, organisation_xml, "organisation")
