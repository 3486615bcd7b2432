from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.test import Client
from django.utils import translation

ERROR_URLS = "kembar.core.tests.error_urls"
pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def broken_context_processor(request: HttpRequest) -> dict[str, object]:
    raise DatabaseError("the database went away")


def test_unknown_api_path_is_json_404(english: Client) -> None:
    response = english.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No API endpoint at this address; the list is at /api/docs/."
    }


def test_unknown_page_is_kembars_own_404_with_a_way_back(english: Client) -> None:
    response = english.get("/no-such-page/")

    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    page = response.content.decode()
    assert "<h1 id=\"error-heading\">Page not found</h1>" in page
    assert '<a href="/">Go to the home page</a>' in page


def test_unknown_page_speaks_indonesian_by_default(client: Client) -> None:
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert '<html lang="id">' in page
    with translation.override("id"):
        assert f'<h1 id="error-heading">{translation.gettext("Page not found")}</h1>' in page


def test_forbidden_page_is_kembars_own(english: Client, settings: object) -> None:
    settings.ROOT_URLCONF = ERROR_URLS  # type: ignore[attr-defined]

    response = english.get("/test-forbidden/")

    assert response.status_code == 403
    assert "<h1 id=\"error-heading\">Access denied</h1>" in response.content.decode()


def test_disallowed_host_is_kembars_own_400(english: Client) -> None:
    response = english.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert "The request could not be handled" in response.content.decode()


def test_oversized_api_body_is_json_413(english: Client) -> None:
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = english.post("/api/v1/auth/token/", {"username": too_big, "password": "x"})

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is too large; send less data in one request."
    }


def test_oversized_api_json_body_is_json_413(client: Client) -> None:
    body = '{"username": "%s", "password": "x"}' % ("x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    response = client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_oversized_form_is_a_page_saying_what_to_do(english: Client) -> None:
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = english.post("/accounts/login/", {"username": too_big, "password": "x"})

    assert response.status_code == 413
    assert "Send a smaller file or fewer rows at a time." in response.content.decode()


def test_api_crash_is_json_500_with_request_id_and_no_traceback(settings: object) -> None:
    settings.ROOT_URLCONF = ERROR_URLS  # type: ignore[attr-defined]
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/test-crash/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "request_id"}
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    assert response["X-Request-ID"] == body["request_id"]
    assert body["request_id"] in body["detail"]
    assert b"secret-internal-detail" not in response.content
    assert b"Traceback" not in response.content


def test_page_crash_renders_without_context_processors(settings: object) -> None:
    settings.ROOT_URLCONF = ERROR_URLS  # type: ignore[attr-defined]
    templates = settings.TEMPLATES  # type: ignore[attr-defined]
    processors = templates[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [  # type: ignore[attr-defined]
        {
            **templates[0],
            "OPTIONS": {
                **templates[0]["OPTIONS"],
                "context_processors": [
                    *processors,
                    "kembar.core.tests.test_errors.broken_context_processor",
                ],
            },
        }
    ]
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # type: ignore[attr-defined]

    response = client.get("/test-crash/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1 id=\"error-heading\">Something went wrong</h1>" in page
    assert f"<code>{response['X-Request-ID']}</code>" in page
    assert '<a href="/">Go to the home page</a>' in page
    assert "secret-internal-detail" not in page


def test_csrf_failure_is_explained_in_the_users_language() -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/accounts/login/", {"username": "siti", "password": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1 id=\"error-heading\">The form has expired</h1>" in page
    assert "reload the page and send the form again" in page


def test_a_validation_error_without_a_field_is_the_error_object() -> None:
    from rest_framework.exceptions import ValidationError

    from kembar.common.api import exception_handler

    with translation.override("en"):
        response = exception_handler(ValidationError("Totals do not add up."), {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "detail": "Totals do not add up.",
        "errors": {"non_field_errors": ["Totals do not add up."]},
    }


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "null"])
def test_a_bad_page_size_is_refused_not_ignored(client: Client, page_size: str) -> None:
    response = client.get(f"/api/v1/regions/?page_size={page_size}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid parameter: page_size",
        "errors": {"page_size": ["Use a whole number from 1 to 500."]},
    }


def test_an_empty_page_size_is_the_default(client: Client) -> None:
    assert client.get("/api/v1/regions/?page_size=").status_code == 200


def test_every_operation_documents_its_error_answers(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    lifecycle = schema["paths"]["/api/v1/lifecycle/"]["get"]["responses"]
    assert lifecycle["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Lifecycle"
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            statuses = ["404", "406", "429"]
            if path != "/api/v1/auth/token/":  # authentication off: a token is made here
                statuses += ["401", "403"]
            for status in statuses:
                assert "content" in responses[status], (method, path, status)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= set(responses), (method, path)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    assert parameter["allowEmptyValue"] is True, (method, path, parameter)
