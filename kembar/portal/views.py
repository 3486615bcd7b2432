from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kembar.common.public_cache import public_cacheable
from kembar.portal.selectors import home_page, partnership_page


@require_safe
@public_cacheable
def home(request: HttpRequest) -> HttpResponse:
    """Public: the home region's partnerships and their map."""
    page = home_page(region_kode=settings.KEMBAR_HOME_REGION)
    return render(request, "portal/home.html", {"page": page})


@require_safe
@public_cacheable
def partnership_index(request: HttpRequest) -> HttpResponse:
    """Public: the list of the home region's public partnerships, each linking to its page."""
    page = home_page(region_kode=settings.KEMBAR_HOME_REGION)
    return render(request, "portal/partnerships.html", {"page": page})


@require_safe
@public_cacheable
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: one public partnership; any other (internal, another region's) is not found."""
    page = partnership_page(region_kode=settings.KEMBAR_HOME_REGION, slug=slug)
    if page is None:
        raise Http404
    return render(request, "portal/partnership.html", {"page": page, "slug": slug})
