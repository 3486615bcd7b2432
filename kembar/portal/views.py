from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kembar.portal.selectors import home_page


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Public: the home region's partnerships and their map."""
    page = home_page(region_kode=settings.KEMBAR_HOME_REGION)
    return render(request, "portal/home.html", {"page": page})
