from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kembar.core.selectors import database_status


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitors.

    Public on purpose: it reveals only whether the service and its database
    answer, never why the database failed.
    """
    db_ok = database_status()
    if db_ok:
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse(
        {
            "status": "error",
            "database": "unreachable",
            "detail": "The database did not answer; check DATABASE_URL and that the server runs.",
        },
        status=503,
    )
