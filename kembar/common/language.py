"""The language switch: sets the language cookie and returns to the page it came from.

It takes no CSRF token, so that the public pages carrying the switch hold
nothing per visitor and can be shared from the cache (kembar.common.public_cache).
A forged switch can only change the language a visitor reads in; it signs no
one in, changes no data and reads nothing.  ``next`` must be a path on this
site (``url_has_allowed_host_and_scheme``), else the home page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

__all__ = ["language_switch"]


@csrf_exempt
@require_POST
def language_switch(request: HttpRequest) -> HttpResponseRedirect | HttpResponseBadRequest:
    """Anyone: ``language`` (a code of LANGUAGES) and ``next`` (a same-site path)."""
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        return HttpResponseBadRequest(
            _("Unknown language: choose Bahasa Indonesia (id) or English (en)."),
            content_type="text/plain; charset=utf-8",
        )
    target = request.POST.get("next", "") or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    return response
