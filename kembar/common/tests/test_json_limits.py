"""JSON bodies: nesting and size limits answered as JSON errors, anonymously and signed in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import UserFactory
from kembar.common.parsers import json_too_deep

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
TOO_DEEP = "The JSON body nests arrays or objects more than 32 levels deep."


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("[" * 32 + "]" * 32, 32, False),
        ("[" * 33 + "]" * 33, 32, True),
        ('{"a": "[[[[[[[[[[", "b": [1, {"c": [2]}]}', 4, False),
        ('{"a": "\\"[[[[", "b": [[[[1]]]]}', 3, True),
        ('["unterminated', 0, True),
        ("", 0, False),
    ],
)
def test_json_too_deep(text: str, limit: int, expected: bool) -> None:
    assert json_too_deep(text, limit) is expected


def test_a_deep_body_is_a_400_for_anonymous_callers() -> None:
    response = english().post("/api/v1/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_a_deep_body_is_a_400_for_signed_in_callers() -> None:
    client = english()
    client.force_login(UserFactory.create(role=Role.COOPERATION_OFFICER))

    response = client.post("/api/v1/inbound-requests/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_nesting_up_to_the_limit_is_parsed(settings: Any) -> None:
    settings.KEMBAR_JSON_MAX_DEPTH = 3
    body = '{"username": "x", "password": "y", "extra": [[1]]}'

    response = english().post("/api/v1/auth/token/", body, content_type="application/json")

    # Parsed, then refused for the credentials, not for the body.
    assert response.status_code == 400
    assert "nests" not in response.json().get("detail", "")


def test_invalid_json_is_a_400() -> None:
    response = english().post("/api/v1/auth/token/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body is not valid JSON: ")
