"""The resident's check-in code as a QR code (segno), for their own registration only.

The code is the secret the officer scans at the door: it is served only to
the signed-in citizen whose resident owns the registration (others: 403 or
404, never a hint whether the registration exists), and never cached.
"""

from __future__ import annotations

import io

import segno
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from kembar.participation.models import Registration, RegistrationStatus


@require_safe
@permission_required("accounts.access_citizen_area", raise_exception=True)
def registration_qr(request: HttpRequest, pk: int) -> HttpResponse:
    resident = getattr(request.user, "resident", None)
    registration = (
        Registration.objects.filter(pk=pk, resident=resident)
        .exclude(status__in=[RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
        .first()
        if resident is not None
        else None
    )
    if registration is None:
        raise Http404
    qr = segno.make(registration.checkin_code, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=False, title=registration.number)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
