from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import (
    PASSWORD,
    StandardOrganisations,
    UserFactory,
    current_code,
    wrong_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]

LIMIT: int = settings.AXES_FAILURE_LIMIT
INVALID_CREDENTIALS = {"detail": "The username or the password is not correct."}
LOCKED_OUT = {
    "detail": "Too many failed sign-in attempts for this account from your address. "
    "Signing in is paused; try again later."
}
INVALID_CODE = "This code is not valid. Enter the current code from your authenticator app."


def post_token(client: Client, **data: str) -> Any:
    return client.post(
        "/api/v1/auth/token/", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


# --- auth/token ----------------------------------------------------------------------------


def test_token_for_username_and_password(client: Client, officer: User) -> None:
    response = post_token(client, username="siti", password=PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=officer).key}


def test_token_is_reused(client: Client, officer: User) -> None:
    first = post_token(client, username="siti", password=PASSWORD).json()
    second = post_token(client, username="siti", password=PASSWORD).json()

    assert first == second
    assert Token.objects.filter(user=officer).count() == 1


def test_token_sign_in_is_logged_and_clears_failures(client: Client, officer: User) -> None:
    post_token(client, username="siti", password="wrong-password")

    response = post_token(client, username="siti", password=PASSWORD)

    assert response.status_code == 200
    assert AccessAttempt.objects.filter(username="siti").count() == 0
    assert AccessLog.objects.filter(username="siti").count() == 1
    officer.refresh_from_db()
    assert officer.last_login is not None


@pytest.mark.parametrize(
    ("username", "password"), [("siti", "wrong-password"), ("nobody", PASSWORD)]
)
def test_wrong_credentials_are_400(
    client: Client, officer: User, username: str, password: str
) -> None:
    response = post_token(client, username=username, password=password)

    assert response.status_code == 400
    assert response.json() == INVALID_CREDENTIALS
    assert Token.objects.count() == 0


def test_missing_fields_are_400(client: Client) -> None:
    response = post_token(client, username="siti")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid parameter: password",
        "errors": {"password": ["This field is required."]},
    }


def test_token_endpoint_ignores_the_session_and_csrf(officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = post_token(client, username="siti", password=PASSWORD)

    assert response.status_code == 200


def test_lockout_after_exactly_the_limit(client: Client, officer: User) -> None:
    for attempt in range(1, LIMIT):
        response = post_token(client, username="siti", password=f"wrong-{attempt}")
        assert response.status_code == 400, attempt

    locking = post_token(client, username="siti", password="wrong-last")
    correct = post_token(client, username="siti", password=PASSWORD)

    assert (locking.status_code, locking.json()) == (429, LOCKED_OUT)
    assert (correct.status_code, correct.json()) == (429, LOCKED_OUT)
    assert correct.headers["Content-Type"] == "application/json"
    assert Token.objects.count() == 0
    assert AccessAttempt.objects.get(username="siti").failures_since_start == LIMIT + 1


def test_api_and_page_share_one_lockout(client: Client, officer: User) -> None:
    for attempt in range(LIMIT):
        post_token(client, username="siti", password=f"wrong-{attempt}")

    page = client.post("/accounts/login/", {"username": "siti", "password": PASSWORD, "next": "/"})

    assert page.status_code == 429


def test_totp_user_without_otp_is_400_naming_otp(client: Client, totp_officer: User) -> None:
    response = post_token(client, username="budi", password=PASSWORD)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid parameter: otp",
        "errors": {"otp": ["This account signs in with a second factor: send the code."]},
    }
    assert Token.objects.count() == 0
    assert AccessAttempt.objects.count() == 0


def test_totp_user_with_otp(client: Client, totp_officer: User) -> None:
    code = current_code(totp_officer.totp_secret)

    response = post_token(client, username="budi", password=PASSWORD, otp=code)
    replay = post_token(client, username="budi", password=PASSWORD, otp=code)

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=totp_officer).key}
    assert replay.status_code == 400
    assert replay.json() == {"detail": "Invalid parameter: otp", "errors": {"otp": [INVALID_CODE]}}


@pytest.mark.parametrize(
    ("otp", "error"), [("wrong", INVALID_CODE), ("12345", "Enter the 6 digits of the code.")]
)
def test_totp_user_with_wrong_otp(client: Client, totp_officer: User, otp: str, error: str) -> None:
    typed = wrong_code(totp_officer.totp_secret) if otp == "wrong" else otp

    response = post_token(client, username="budi", password=PASSWORD, otp=typed)

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid parameter: otp", "errors": {"otp": [error]}}
    assert Token.objects.count() == 0


def test_wrong_otps_count_towards_the_lockout(client: Client, totp_officer: User) -> None:
    bad = wrong_code(totp_officer.totp_secret)
    for attempt in range(1, LIMIT):
        response = post_token(client, username="budi", password=PASSWORD, otp=bad)
        assert response.status_code == 400, attempt

    locking = post_token(client, username="budi", password=PASSWORD, otp=bad)
    correct = post_token(
        client, username="budi", password=PASSWORD, otp=current_code(totp_officer.totp_secret)
    )

    assert (locking.status_code, locking.json()) == (429, LOCKED_OUT)
    assert (correct.status_code, correct.json()) == (429, LOCKED_OUT)
    assert Token.objects.count() == 0


def test_token_endpoint_speaks_indonesian_when_asked(client: Client, officer: User) -> None:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "siti"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 400
    assert response.headers["Content-Language"] == "id"


# --- auth/me -------------------------------------------------------------------------------------


def test_me_with_session(client: Client, officer: User) -> None:
    client.force_login(officer)

    response = client.get("/api/v1/auth/me/")

    assert response.status_code == 200
    assert response.json() == {
        "username": "siti",
        "full_name": officer.get_full_name(),
        "role": "cooperation_officer",
        "organisation": {
            "slug": "pemkot-semarang",
            "name": "Pemerintah Kota Semarang",
            "kind": "local_government",
        },
    }


def test_me_with_token(client: Client, orgs: StandardOrganisations) -> None:
    user = UserFactory.create(
        username="dewan",
        first_name="Agus",
        last_name="Santoso",
        role=Role.COUNCIL_MEMBER,
        organisation=orgs.dprd_semarang,
    )
    token = Token.objects.create(user=user)

    response = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json() == {
        "username": "dewan",
        "full_name": "Agus Santoso",
        "role": "council_member",
        "organisation": {"slug": "dprd-semarang", "name": "DPRD Kota Semarang", "kind": "council"},
    }


def test_me_without_organisation(client: Client, db: None) -> None:
    user = UserFactory.create(
        username="admin", first_name="", last_name="", role=Role.ADMINISTRATOR, organisation=None
    )
    client.force_login(user)

    assert client.get("/api/v1/auth/me/").json() == {
        "username": "admin",
        "full_name": "",
        "role": "administrator",
        "organisation": None,
    }


def test_me_needs_authentication(client: Client) -> None:
    response = client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_me_with_a_bad_token(client: Client) -> None:
    response = client.get(
        "/api/v1/auth/me/", HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT_LANGUAGE="en"
    )

    # 403, not 401: the first authentication class (session) sends no WWW-Authenticate.
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


# --- schema --------------------------------------------------------------------------------------


def test_schema_documents_the_endpoints() -> None:
    schema = SchemaGenerator(urlconf="kembar.accounts.tests.urls").get_schema(
        request=None, public=True
    )

    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert token["tags"] == ["auth"]
    assert token["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenRequest"
    }
    assert sorted(token["responses"]) == ["200", "400", "429"]
    assert schema["components"]["schemas"]["TokenRequest"]["required"] == ["password", "username"]
    assert sorted(schema["components"]["schemas"]["TokenRequest"]["properties"]) == [
        "otp",
        "password",
        "username",
    ]
    assert sorted(schema["components"]["schemas"]["Me"]["properties"]) == [
        "full_name",
        "organisation",
        "role",
        "username",
    ]
    assert schema["paths"]["/api/v1/auth/me/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/Me"}
