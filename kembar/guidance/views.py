"""Public guidance pages (``/guidance/``): the library, shared practices and policies, recognition.

Every view here is public and read-only (``require_safe``), shows public
records only and may be cached for anonymous visitors (``public_cacheable``):
templates and checklists are shipped data, shared practices and policies are
those a region's cooperation office shared or made public, and the
recognition counts public partnerships only, with no count of people.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from kembar.common.public_cache import public_cacheable
from kembar.geo.models import Region
from kembar.guidance import selectors
from kembar.guidance.export import FORMATS, as_docx, as_markdown, filename
from kembar.guidance.forms import RecognitionFilterForm, SharedFilterForm
from kembar.guidance.library import RenderedDocument
from kembar.guidance.recognition import CRITERIA, FIRST_YEAR, recognition, recognition_years
from kembar.partnerships.models import Partnership

PAGE_SIZE = 25
LANGUAGES = ("id", "en")


def active_language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def document_response(document: RenderedDocument, kind: str) -> HttpResponse:
    """The document as a download (``kind``: a key of :data:`FORMATS`)."""
    extension, content_type = FORMATS[kind]
    body: bytes | str = as_docx(document) if kind == "docx" else as_markdown(document)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(document, extension)}"'
    return response


def download_choice(request: HttpRequest) -> tuple[str, str]:
    """The format and language a download asks for (``?format=md|docx&language=id|en``)."""
    kind = request.GET.get("format", "md")
    language = request.GET.get("language", active_language())
    if kind not in FORMATS or language not in LANGUAGES:
        raise Http404
    return kind, language


@require_safe
@public_cacheable
def index(request: HttpRequest) -> HttpResponse:
    """Public: the templates and checklists every region starts from, and their legal sources."""
    library, documents = selectors.library_documents()
    language = active_language()
    context = {
        "documents": [
            {
                "slug": document.slug,
                "kind": document.kind,
                "title": document.title.get(language),
                "summary": document.summary.get(language),
            }
            for document in documents
        ],
        "sources": [
            {"code": s.code, "title": s.title.get(language), "note": s.note.get(language)}
            for s in library.sources
        ],
    }
    return render(request, "guidance/index.html", context)


@require_safe
@public_cacheable
def document_detail(request: HttpRequest, template: str) -> HttpResponse:
    """Public: one template or checklist, its placeholders shown as ``[label]``."""
    document = selectors.rendered_document(template, language=active_language())
    if document is None:
        raise Http404
    return render(request, "guidance/document.html", {"document": document, "staff": False})


@require_safe
@public_cacheable
def document_download(request: HttpRequest, template: str) -> HttpResponse:
    """Public: the blank template or checklist as Markdown (default) or DOCX."""
    kind, language = download_choice(request)
    document = selectors.rendered_document(template, language=language)
    if document is None:
        raise Http404
    return document_response(document, kind)


@require_safe
@public_cacheable
def shared(request: HttpRequest) -> HttpResponse:
    """Public: practices regions shared and policies they made public, for every region."""
    form = SharedFilterForm(request.GET or None, regions=selectors.shared_regions())
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    practices = Paginator(selectors.shared_practices(filters), PAGE_SIZE)
    policies = Paginator(selectors.shared_policies(filters), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("practices_page", None)
    query.pop("policies_page", None)
    context = {
        "form": form,
        "narrowed": filters.narrowed,
        "practices": practices.get_page(request.GET.get("practices_page")),
        "policies": policies.get_page(request.GET.get("policies_page")),
        "query": query.urlencode(),
    }
    return render(request, "guidance/shared.html", context)


@require_safe
@public_cacheable
def recognition_criteria(request: HttpRequest) -> HttpResponse:
    """Public: the published criteria of the annual recognition, and the years to see."""
    years = recognition_years(Partnership.objects.filter(is_public=True))
    context = {
        "criteria": CRITERIA,
        "years": years,
        "total_weight": sum(c.weight for c in CRITERIA),
    }
    return render(request, "guidance/recognition.html", context)


@require_safe
@public_cacheable
def recognition_year(request: HttpRequest, year: int) -> HttpResponse:
    """Public: the public partnerships of ``year`` ranked by the criteria, each value shown."""
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    partnerships = Partnership.objects.filter(is_public=True)
    regions = Region.objects.filter(kode__in=partnerships.values("local_region_id")).order_by(
        "name"
    )
    form = RecognitionFilterForm(request.GET or None, regions=regions)
    if form.is_bound:
        form.is_valid()
    region = form.region_code()
    if region:
        partnerships = partnerships.filter(local_region_id=region)
    result = recognition(year=year, partnerships=partnerships, today=today)
    context = {
        "result": result,
        "form": form,
        "region": region,
        "home_region": settings.KEMBAR_HOME_REGION,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < today.year else None,
        "is_current_year": year == today.year,
        "year_end": dt.date(year, 12, 31),
    }
    return render(request, "guidance/recognition_year.html", context)
