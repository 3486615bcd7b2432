"""The project's URLs, plus those of accounts if ``config/urls.py`` does not include them yet."""

from django.urls import Resolver404, include, path, resolve

from config.urls import urlpatterns as base


def _served_by_project(url: str) -> bool:
    try:
        resolve(url, urlconf="config.urls")
    except Resolver404:
        return False
    return True


urlpatterns: list[object] = list(base)
if not _served_by_project("/accounts/login/"):
    urlpatterns.insert(0, path("accounts/", include("kembar.accounts.urls")))
if not _served_by_project("/api/v1/auth/token/"):
    urlpatterns.insert(0, path("api/v1/", include("kembar.accounts.api.urls")))
