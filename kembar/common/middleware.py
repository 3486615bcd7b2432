"""Language selection: Bahasa Indonesia unless the user chose otherwise."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class KembarLocaleMiddleware(LocaleMiddleware):
    """Pages speak Bahasa Indonesia until the user switches; the API follows Accept-Language.

    Django's own middleware would pick English for every browser set to
    English, but a regional government's site speaks the national language
    first and offers English on a click (the choice is kept in a cookie).
    API clients ask for a language explicitly with ``Accept-Language``.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
