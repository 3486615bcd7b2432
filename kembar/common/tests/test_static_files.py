"""Static files as production serves them: hashed names cached for ten years, compressed copies.

A focused collectstatic of one stylesheet into a temporary STATIC_ROOT with the production
storage (whitenoise's CompressedManifestStaticFilesStorage), served by whitenoise's middleware.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

STYLESHEET = "body { color: #123456; }\n" * 200


def test_the_production_storage_is_whitenoises_compressed_manifest() -> None:
    """config.settings (the tests swap in a plain storage, so as not to need collectstatic)."""
    from config import settings as production

    backend = production.STORAGES["staticfiles"]["BACKEND"]

    assert production.DEBUG is False
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Static files are answered before sessions, the language or the page cache get involved.
    for middleware in (production.MIDDLEWARE, django_settings.MIDDLEWARE):
        position = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
        assert position < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


@pytest.fixture
def collected(tmp_path: Path, settings: Any) -> Path:
    source = tmp_path / "source" / "kembar"
    source.mkdir(parents=True)
    (source / "site.css").write_text(STYLESHEET)
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STATICFILES_DIRS = [tmp_path / "source"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return Path(settings.STATIC_ROOT)


def _serve(path: str) -> HttpResponse:
    def not_static(request: HttpRequest) -> HttpResponse:
        return HttpResponse("not a static file", status=404)

    middleware = WhiteNoiseMiddleware(not_static)
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip, br")
    return middleware(request)


def test_hashed_files_are_immutable_and_compressed(collected: Path) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.url("kembar/site.css")
    name = hashed.removeprefix("/static/")
    response = _serve(hashed)
    plain = _serve("/static/kembar/site.css")

    assert name != "kembar/site.css" and name.startswith("kembar/site.")
    assert (collected / (name + ".gz")).exists()
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] in {"gzip", "br"}
    assert int(response["Content-Length"]) < len(STYLESHEET) // 10
    assert response["Vary"] == "Accept-Encoding"
    # The unhashed name is served too, but only briefly cached: it changes with each release.
    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=60, public"
