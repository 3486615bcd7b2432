"""The language switch takes no CSRF token and returns only to a page of this site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from kembar.geo.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("target", "redirect"),
    [
        ("/insights/reach/?year=2024", "/insights/reach/?year=2024"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("", "/"),
    ],
)
def test_the_switch_sets_the_cookie_and_goes_back_on_this_site(target: str, redirect: str) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "en", "next": target})

    assert response.status_code == 302
    assert response["Location"] == redirect
    cookie = response.cookies["kembar_language"]
    assert (cookie.value, cookie["httponly"], cookie["samesite"]) == ("en", True, "Lax")
    assert "csrftoken" not in response.cookies


def test_the_next_page_speaks_the_chosen_language() -> None:
    RegionFactory.create(kode="33.74", name="Kota Semarang")
    client = Client(enforce_csrf_checks=True)
    before = client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    after = client.get("/").content.decode()

    assert '<html lang="id">' in before
    assert '<html lang="en">' in after
    assert 'action="/i18n/setlang/"' in after
    assert "csrfmiddlewaretoken" not in after


def test_an_unknown_language_is_refused_in_the_visitors_language() -> None:
    client = Client()
    client.cookies["kembar_language"] = "en"
    with translation.override("en"):
        response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert response.status_code == 400
    assert response.content.decode() == (
        "Unknown language: choose Bahasa Indonesia (id) or English (en)."
    )
    assert "kembar_language" not in response.cookies


def test_a_get_is_not_allowed() -> None:
    response = Client().get("/i18n/setlang/?language=en")

    assert response.status_code == 405
    assert "kembar_language" not in response.cookies
