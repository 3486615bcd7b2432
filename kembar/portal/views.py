from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kembar.common.public_cache import public_cacheable
from kembar.insights.health_sections import public_health
from kembar.knowledge.selectors import public_partnership_policies
from kembar.portal.activities import activity_page, calendar_page, parse_month
from kembar.portal.search import search_page
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
    health = public_health(page.item.partnership)
    policies = public_partnership_policies(page.item.partnership)
    context = {"page": page, "slug": slug, "health": health, "policies": policies}
    return render(request, "portal/partnership.html", context)


@require_safe
@public_cacheable
def activity_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Public: one activity the public API shows, with its protected participant figures."""
    page = activity_page(region_kode=settings.KEMBAR_HOME_REGION, reference=reference)
    if page is None:
        raise Http404
    return render(request, "portal/activity.html", {"page": page})


@require_safe
@public_cacheable
def calendar(request: HttpRequest) -> HttpResponse:
    """Public: the activities of a month (``?month=YYYY-MM``), or the upcoming ones."""
    page = calendar_page(
        region_kode=settings.KEMBAR_HOME_REGION,
        month=parse_month(request.GET.get("month", "")),
        today=timezone.localdate(),
    )
    return render(request, "portal/calendar.html", {"page": page})


@require_safe
@public_cacheable
def search(request: HttpRequest) -> HttpResponse:
    """Public: partnerships and activities matching ``?q=``, a page of each."""
    page = search_page(
        region_kode=settings.KEMBAR_HOME_REGION, query=request.GET.get("q", ""), pages=request.GET
    )
    return render(request, "portal/search.html", {"page": page})
