"""Kembar's URLs plus ``/bench/trivial/``: a JSON answer through the whole middleware stack."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_safe


@require_safe
def trivial(request: HttpRequest) -> JsonResponse:
    """Anyone: the smallest answer Django gives with every middleware of the real settings."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("config.urls")),
]
