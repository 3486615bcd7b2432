"""Staff guidance pages (``/staff/guidance/``): the library filled in for the region, sharing.

Each view declares its permission: ``staff_view`` and a rule of
:mod:`kembar.guidance.rules` (``guidance.use_library`` for the library,
``guidance.share_practice`` for sharing a practice, the cooperation office of
the practice's region only: others get 403 and nothing changes).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.common.staff_views import require
from kembar.guidance import selectors, services
from kembar.guidance.views import PAGE_SIZE, active_language, document_response, download_choice
from kembar.knowledge.models import Practice
from kembar.knowledge.selectors import practice_list
from kembar.partnerships.views import StaffRequest, staff_view


@require_safe
@staff_view
def index(request: StaffRequest) -> HttpResponse:
    """The library with the user's region filled in, and the region's practices to share."""
    require(request, "guidance.use_library", None)
    _library, documents = selectors.library_documents()
    language = active_language()
    practices = Paginator(practice_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "fill": selectors.region_fill(request.user),
        "documents": [
            {
                "slug": document.slug,
                "kind": document.kind,
                "title": document.title.get(language),
                "summary": document.summary.get(language),
            }
            for document in documents
        ],
        "page": practices,
        "can_share_ids": {
            practice.pk
            for practice in practices.object_list
            if request.user.has_perm("guidance.share_practice", practice)
        },
    }
    return render(request, "staff/guidance/index.html", context)


@require_safe
@staff_view
def document_detail(request: StaffRequest, template: str) -> HttpResponse:
    """A template or checklist with the user's region filled in."""
    require(request, "guidance.use_library", None)
    document = selectors.rendered_document(
        template, language=active_language(), fill=selectors.region_fill(request.user)
    )
    if document is None:
        raise Http404
    return render(request, "staff/guidance/document.html", {"document": document, "staff": True})


@require_safe
@staff_view
def document_download(request: StaffRequest, template: str) -> HttpResponse:
    """The template or checklist with the user's region filled in, as Markdown or DOCX."""
    require(request, "guidance.use_library", None)
    kind, language = download_choice(request)
    document = selectors.rendered_document(
        template, language=language, fill=selectors.region_fill(request.user)
    )
    if document is None:
        raise Http404
    return document_response(document, kind)


@require_POST
@staff_view
def practice_share(request: StaffRequest, practice: int) -> HttpResponse:
    """Share a practice with every region (``shared=1``) or withdraw it (``shared=0``)."""
    record = Practice.objects.filter(pk=practice).first()
    if record is None:
        raise Http404
    require(request, "guidance.share_practice", record)
    shared = request.POST.get("shared") == "1"
    services.practice_share(actor=request.user, practice=record, shared=shared)
    if shared:
        messages.success(request, _("The practice is shared with every region."))
    else:
        messages.success(request, _("The practice is no longer shared."))
    return redirect("guidance-staff:guidance-staff")
