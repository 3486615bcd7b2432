"""The site's URLs plus views that fail on purpose, for the error-answer tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as site_urls


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-internal-detail")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("api/v1/test-crash/", crash),
    path("test-crash/", crash),
    path("test-forbidden/", forbidden),
    *site_urls.urlpatterns,
]

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
