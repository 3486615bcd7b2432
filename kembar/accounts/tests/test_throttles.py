"""API rates per signed-in user and per client address: 429 JSON with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kembar.accounts.models import User
from kembar.accounts.tests.factories import PASSWORD, StandardOrganisations, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]

RATES = {"user": "3/minute", "address": "100/minute", "sign_in": "100/minute"}


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response.headers["Content-Type"] == "application/json"
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
    }


def test_rate_per_user(settings: Any, officer: User, orgs: StandardOrganisations) -> None:
    settings.KEMBAR_API_RATES = RATES
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    colleague = Client(HTTP_ACCEPT_LANGUAGE="en")
    colleague.force_login(UserFactory.create(username="dewi", organisation=orgs.semarang))

    allowed = [client.get("/api/v1/auth/me/").status_code for _ in range(3)]
    refused = client.get("/api/v1/auth/me/")

    assert allowed == [200, 200, 200]
    assert_throttled(refused)
    assert colleague.get("/api/v1/auth/me/").status_code == 200


def test_rate_per_address(settings: Any, db: None) -> None:
    settings.KEMBAR_API_RATES = {**RATES, "address": "2/minute"}
    settings.KEMBAR_TRUSTED_PROXIES = ["10.0.0.5"]
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9")

    # Each a different question: an answer the public cache already holds is not counted
    # (kembar.common.public_cache), one the API has to compute is.
    allowed = [first.get(f"/api/v1/regions/?page_size={n}").status_code for n in (10, 11)]
    refused = first.get("/api/v1/regions/?page_size=12", HTTP_ACCEPT_LANGUAGE="en")

    assert allowed == [200, 200]
    assert_throttled(refused)
    assert second.get("/api/v1/regions/").status_code == 200


def test_token_requests_per_address(settings: Any, officer: User) -> None:
    settings.KEMBAR_API_RATES = {**RATES, "sign_in": "2/minute"}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    def post(username: str, password: str) -> Any:
        return client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            content_type="application/json",
        )

    guesses = [post(name, "guess-123456789").status_code for name in ("ani", "budi")]
    refused = post("siti", PASSWORD)

    assert guesses == [400, 400]
    assert_throttled(refused)


def test_default_rates_are_settings(settings: Any) -> None:
    assert sorted(settings.KEMBAR_API_RATES) == ["address", "registration", "sign_in", "user"]
    assert settings.KEMBAR_API_RATES["registration"] == "30/hour"
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "kembar.accounts.throttles.UserRateThrottle",
        "kembar.accounts.throttles.AddressRateThrottle",
    ]


def test_an_unreachable_cache_lets_api_requests_through(settings: Any, caplog: Any) -> None:
    """With Redis away the API still answers (counted again once it is back), and says so."""
    settings.KEMBAR_API_RATES = RATES
    settings.KEMBAR_PUBLIC_CACHE = False  # only the rate counting meets the dead cache here
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        }
    }

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/partnerships/")

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert "request rate not counted: the cache is unreachable" in caplog.text
