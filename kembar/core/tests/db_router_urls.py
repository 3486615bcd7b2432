"""The site's URLs plus views that read and write in a known order, for the router tests."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config import urls as site_urls


def read_write_read(request: HttpRequest) -> JsonResponse:
    before = Group.objects.filter(name__startswith="router-").count()
    Group.objects.create(name=f"router-{before}")
    after = Group.objects.filter(name__startswith="router-").count()
    return JsonResponse({"before": before, "after": after})


def read_in_atomic(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        count = Group.objects.filter(name__startswith="router-").count()
    return JsonResponse({"count": count})


@csrf_exempt
def read_only(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": Group.objects.filter(name__startswith="router-").count()})


urlpatterns = [
    path("test-router/read-write-read/", read_write_read),
    path("test-router/atomic/", read_in_atomic),
    path("test-router/read/", read_only),
    *site_urls.urlpatterns,
]
