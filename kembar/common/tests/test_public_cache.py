"""The shared cache of anonymous public answers (kembar.common.public_cache).

Most tests here commit (``transaction=True``): the stamp is renewed after a commit, and a
request on a connection that holds uncommitted changes bypasses the cache on purpose.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.test import Client, RequestFactory
from django.utils.http import http_date

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import OrganisationFactory, UserFactory
from kembar.common import public_cache
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import partnership_update
from kembar.partnerships.tests.factories import PartnershipFactory

committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def semarang() -> dict[str, Any]:
    region = RegionFactory.create(kode="33.74", name="Kota Semarang")
    brisbane = CityFactory.create(
        id=2174003, name="Brisbane", country=CountryFactory.create(iso2="AU")
    )
    officer = UserFactory.create(
        username="officer",
        role=Role.COOPERATION_OFFICER,
        organisation=OrganisationFactory.create(
            slug="pemkot-semarang", kind="local_government", region=region
        ),
    )
    return {
        "officer": officer,
        "public": PartnershipFactory.create(
            slug="smg-brisbane", partner_city=brisbane, partner_name="Brisbane"
        ),
        "internal": PartnershipFactory.create(
            slug="smg-internal", partner_name="Hidden Town", is_public=False
        ),
    }


def slugs(response: Any) -> list[str]:
    return [row["slug"] for row in json.loads(response.content)["results"]]


@committed
def test_a_page_is_cached_until_a_service_changes_the_data(semarang: dict[str, Any]) -> None:
    client = Client()
    first = client.get("/partnerships/")
    second = client.get("/partnerships/")

    partnership = semarang["public"]
    partnership_update(
        partnership=partnership,
        actor=semarang["officer"],
        expected_version=partnership.version,
        data={"partner_name": "Brisbane City"},
    )
    third = client.get("/partnerships/")
    fourth = client.get("/partnerships/")

    assert (first["X-Cache"], second["X-Cache"], third["X-Cache"], fourth["X-Cache"]) == (
        "miss",
        "hit",
        "miss",
        "hit",
    )
    assert second.content == first.content
    assert "Brisbane City" not in first.content.decode()
    assert "Brisbane City" in third.content.decode()
    assert fourth.content == third.content


@committed
def test_an_api_write_is_visible_in_the_next_anonymous_api_answer(
    semarang: dict[str, Any],
) -> None:
    anonymous = Client()
    before = anonymous.get("/api/v1/partnerships/")
    officer = Client()
    officer.force_login(semarang["officer"])

    patched = officer.patch(
        "/api/v1/partnerships/smg-brisbane/",
        {"version": 1, "is_public": False},
        content_type="application/json",
    )
    after = anonymous.get("/api/v1/partnerships/")

    assert patched.status_code == 200
    assert (before["X-Cache"], slugs(before)) == ("miss", ["smg-brisbane"])
    assert (after["X-Cache"], slugs(after)) == ("miss", [])


@committed
def test_a_cached_api_answer_equals_an_uncached_one(
    semarang: dict[str, Any], settings: Any
) -> None:
    client = Client()
    client.get("/api/v1/partnerships/?page_size=5")
    cached = client.get("/api/v1/partnerships/?page_size=5")
    settings.KEMBAR_PUBLIC_CACHE = False
    fresh = client.get("/api/v1/partnerships/?page_size=5")

    assert cached["X-Cache"] == "hit"
    assert "X-Cache" not in fresh
    assert cached.content == fresh.content
    assert cached["Content-Type"] == fresh["Content-Type"] == "application/json"
    assert slugs(cached) == ["smg-brisbane"]


@committed
def test_indonesian_and_english_are_cached_apart(semarang: dict[str, Any]) -> None:
    indonesian = Client()
    english = Client()
    english.cookies["kembar_language"] = "en"

    answers = [client.get("/") for client in (indonesian, english, indonesian, english)]

    assert [answer["X-Cache"] for answer in answers] == ["miss", "miss", "hit", "hit"]
    assert '<html lang="id">' in answers[2].content.decode()
    assert '<html lang="en">' in answers[3].content.decode()
    assert answers[0]["ETag"] != answers[1]["ETag"]
    assert answers[0]["Vary"] == "Cookie, Accept-Language"
    assert answers[0]["Cache-Control"] == "no-cache"


@committed
def test_the_api_is_cached_per_accept_language(semarang: dict[str, Any]) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/partnerships/smg-missing/")
    first = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/partnerships/")
    second = Client(HTTP_ACCEPT_LANGUAGE="id").get("/api/v1/partnerships/")

    assert english.status_code == 404 and "X-Cache" not in english
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "miss")
    assert first["Content-Language"] == "en"
    assert second["Content-Language"] == "id"


@committed
def test_validators_answer_304(semarang: dict[str, Any]) -> None:
    client = Client()
    page = client.get("/partnerships/smg-brisbane/")
    stamp = cache.get(public_cache.GENERATION_KEY)

    by_etag = client.get("/partnerships/smg-brisbane/", HTTP_IF_NONE_MATCH=page["ETag"])
    by_date = client.get(
        "/partnerships/smg-brisbane/", HTTP_IF_MODIFIED_SINCE=page["Last-Modified"]
    )
    other_etag = client.get("/partnerships/smg-brisbane/", HTTP_IF_NONE_MATCH='"other"')
    head = client.head("/partnerships/smg-brisbane/", HTTP_IF_NONE_MATCH=page["ETag"])

    assert page.status_code == 200
    assert page["Last-Modified"] == http_date(stamp[1])
    assert page["ETag"].startswith('"') and len(page["ETag"]) == 42
    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", page["ETag"])
    assert by_date.status_code == 304
    assert (other_etag.status_code, other_etag.content) == (200, page.content)
    assert head.status_code == 304


@committed
def test_a_signed_in_user_is_never_served_or_stored(semarang: dict[str, Any]) -> None:
    anonymous = Client()
    anonymous.get("/api/v1/partnerships/")
    officer = Client()
    officer.force_login(semarang["officer"])

    staff_list = officer.get("/api/v1/partnerships/")
    staff_page = officer.get("/partnerships/")
    public_list = anonymous.get("/api/v1/partnerships/")
    public_page = anonymous.get("/partnerships/")

    assert "X-Cache" not in staff_list and "X-Cache" not in staff_page
    assert slugs(staff_list) == ["smg-internal", "smg-brisbane"] or slugs(staff_list) == [
        "smg-brisbane",
        "smg-internal",
    ]
    assert "officer" in staff_page.content.decode()
    assert (public_list["X-Cache"], slugs(public_list)) == ("hit", ["smg-brisbane"])
    assert public_page["X-Cache"] == "miss"
    assert "officer" not in public_page.content.decode()


@committed
@pytest.mark.parametrize(
    ("cookies", "headers"),
    [
        ({"sessionid": "not-a-session"}, {}),
        ({}, {"Authorization": "Token 0123456789abcdef"}),
    ],
)
def test_a_session_cookie_or_authorization_bypasses_the_cache(
    semarang: dict[str, Any], cookies: dict[str, str], headers: dict[str, str]
) -> None:
    Client().get("/api/v1/regions/")
    client = Client(headers=headers)
    for name, value in cookies.items():
        client.cookies[name] = value

    response = client.get("/api/v1/regions/")

    assert "X-Cache" not in response
    assert response.status_code == (403 if headers else 200)


@committed
def test_what_the_public_never_sees_stays_out(semarang: dict[str, Any]) -> None:
    """Disclosure: an internal partnership is in the officer's answer, never in a cached one."""
    officer = Client()
    officer.force_login(semarang["officer"])
    internal = officer.get("/api/v1/partnerships/smg-internal/")

    public = [Client().get("/api/v1/partnerships/smg-internal/") for _ in range(2)]

    assert internal.status_code == 200
    assert [answer.status_code for answer in public] == [404, 404]
    assert all("X-Cache" not in answer for answer in public)


@committed
def test_public_pages_set_no_cookie_and_are_stored(semarang: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    paths = ["/", "/partnerships/", "/partnerships/smg-brisbane/", "/insights/network/"]

    first = [client.get(path) for path in paths]
    second = [client.get(path) for path in paths]

    assert [answer.status_code for answer in first] == [200, 200, 200, 200]
    assert [answer.cookies for answer in first] == [{}, {}, {}, {}]
    assert [answer["X-Cache"] for answer in second] == ["hit", "hit", "hit", "hit"]
    assert "csrfmiddlewaretoken" not in first[0].content.decode()


@committed
def test_a_missing_stamp_starts_a_new_generation(semarang: dict[str, Any]) -> None:
    client = Client()
    client.get("/partnerships/")
    cache.delete(public_cache.GENERATION_KEY)

    again = client.get("/partnerships/")

    assert again["X-Cache"] == "miss"


@committed
def test_a_rolled_back_write_keeps_the_stamp(semarang: dict[str, Any]) -> None:
    before = public_cache.generation()
    with transaction.atomic():
        Partnership.objects.filter(slug="smg-brisbane").get().save()
        transaction.set_rollback(True)
    kept = public_cache.generation()

    Partnership.objects.get(slug="smg-brisbane").save()

    assert kept == before
    assert public_cache.generation()[0] != before[0]


@pytest.mark.django_db
def test_a_transaction_renews_once_and_bypasses_the_cache_until_it_commits(
    semarang: dict[str, Any],
) -> None:
    """Inside the test's own transaction the writes are not committed: no shared answers."""
    for name in ("A", "B", "C"):
        PartnershipFactory.create(partner_name=name)

    pending = [entry for entry in connection.run_on_commit if entry[1] is public_cache._renew]
    response = Client().get("/partnerships/")

    assert len(pending) == 1
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_which_models_renew_the_stamp() -> None:
    from kembar.programs.models import ParticipantRollup

    history = Partnership.history.model
    assert public_cache._tracked(Partnership) is True
    assert public_cache._tracked(history) is False
    assert public_cache._tracked(User) is False
    assert public_cache._tracked(Session) is False
    assert public_cache._tracked(ParticipantRollup) is False
    assert public_cache._tracked(OrganisationFactory._meta.model) is True


@committed
def test_bulk_writers_renew_the_stamp() -> None:
    """sync_rows (the reference loaders) and the reach summary write without signals."""
    from kembar.common.sync import sync_rows
    from kembar.partnerships.models import FocusArea
    from kembar.programs.rollup import rollup_rebuild

    first = public_cache.generation()
    with transaction.atomic():
        sync_rows(
            FocusArea,
            {"health": {"slug": "health", "name_id": "Kesehatan", "name_en": "Health"}},
            key=("slug",),
            delete_missing=False,
        )
        inside = public_cache.generation()
    second = public_cache.generation()
    with transaction.atomic():
        unchanged = sync_rows(
            FocusArea,
            {"health": {"slug": "health", "name_id": "Kesehatan", "name_en": "Health"}},
            key=("slug",),
            delete_missing=False,
        )
    third = public_cache.generation()
    rollup_rebuild()
    fourth = public_cache.generation()

    assert inside == first  # not before the commit
    assert second[0] != first[0]
    assert (unchanged.unchanged, third) == (1, second)  # nothing written, nothing renewed
    assert fourth[0] != third[0]


@pytest.mark.django_db
def test_an_unreachable_cache_only_costs_speed(settings: Any, caplog: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        }
    }

    response = Client().get("/partnerships/")

    assert response.status_code == 200
    assert "X-Cache" not in response
    assert "ETag" not in response
    assert "public cache unreachable: answering without it" in caplog.text


def test_one_request_renders_a_missed_page_while_the_others_wait() -> None:
    """Eight visitors ask for a page nobody has cached: the view runs once, all get its answer."""

    calls: list[int] = []

    def view(request: Any) -> HttpResponse:
        calls.append(1)
        time.sleep(0.3)  # a page that takes a while to render
        response = HttpResponse(f"rendered {len(calls)}")
        public_cache._mark(request, response)
        return response

    middleware = public_cache.PublicCacheMiddleware(view)
    answers: list[Any] = []
    start = threading.Barrier(8)

    def visit() -> None:
        request = RequestFactory().get("/single-flight/", HTTP_HOST="testserver")
        request.user = AnonymousUser()
        start.wait()
        answers.append(middleware(request))

    visitors = [threading.Thread(target=visit) for _ in range(8)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()

    assert len(calls) == 1
    assert sorted(answer["X-Cache"] for answer in answers) == ["hit"] * 7 + ["miss"]
    assert {answer.content for answer in answers} == {b"rendered 1"}


def test_a_claim_that_ends_without_an_answer_lets_the_waiter_render() -> None:
    """A page that is not stored (here a 404) never keeps a waiting visitor for long."""

    calls: list[int] = []

    def view(request: Any) -> HttpResponseNotFound:
        calls.append(1)
        return HttpResponseNotFound("gone")

    middleware = public_cache.PublicCacheMiddleware(view)
    request = RequestFactory().get("/claimed-elsewhere/", HTTP_HOST="testserver")
    request.user = AnonymousUser()
    key = public_cache._entry_key(request)
    assert key is not None
    stamp = public_cache.generation()
    claim = public_cache.FILL_PREFIX + key[len(public_cache.ENTRY_PREFIX) :] + ":" + stamp[0]
    assert cache.add(claim, 1, timeout=public_cache.FILL_SECONDS)  # another one renders it
    threading.Timer(0.3, cache.delete, args=(claim,)).start()  # ... and stores nothing
    started = time.monotonic()
    response = middleware(request)
    waited = time.monotonic() - started

    assert response.status_code == 404
    assert calls == [1]
    assert 0.3 <= waited < public_cache.WAIT_SECONDS
