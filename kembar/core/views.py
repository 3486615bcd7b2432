from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kembar.core.selectors import database_status, readiness, ready


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


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the cache and the task queue each answer.

    A load balancer sends traffic only to an instance that answers 200 here;
    ``/healthz`` (liveness) says only whether the process and database live.
    Public on purpose, and as minimal: each dependency is "ok" or the kind of
    error, never hosts, versions or messages (those go to the log).

    With a read replica, ``"replica"`` says whether it answers and keeps up; when it does
    not, the status is ``"degraded"`` and still 200: reads fall back to the primary, and
    a replica shared by every app server must not take all of them out of the balancer.
    """
    checks = readiness()
    status = ready(checks)
    return JsonResponse({"status": status, **checks}, status=503 if status == "error" else 200)
