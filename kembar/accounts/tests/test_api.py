from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken

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
    before = timezone.now()

    response = post_token(client, username="siti", password=PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["expiry", "token"]
    stored = AuthToken.objects.get(user=officer)
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert expiry == stored.expiry
    assert dt.timedelta(hours=10) <= expiry - before <= dt.timedelta(hours=10, seconds=30)
    # Stored as a digest: the token itself is in no column.
    assert len(body["token"]) == 64
    assert body["token"] not in (stored.digest, stored.token_key)
    me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.status_code == 200
    assert me.json()["username"] == "siti"


def test_each_sign_in_gets_its_own_token(client: Client, officer: User) -> None:
    first = post_token(client, username="siti", password=PASSWORD).json()
    second = post_token(client, username="siti", password=PASSWORD).json()

    assert first["token"] != second["token"]
    assert AuthToken.objects.filter(user=officer).count() == 2


def test_expired_token_is_refused(client: Client, officer: User) -> None:
    _stored, token = AuthToken.objects.create(user=officer, expiry=dt.timedelta(seconds=-1))

    response = client.get(
        "/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (response.status_code, response.json()) == (403, {"detail": "Invalid token."})
    assert AuthToken.objects.count() == 0


def test_token_lifetime_is_a_setting(client: Client, officer: User, settings: Any) -> None:
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=1)}

    body = post_token(client, username="siti", password=PASSWORD).json()

    remaining = dt.datetime.fromisoformat(body["expiry"]) - timezone.now()
    assert dt.timedelta(minutes=59) < remaining <= dt.timedelta(hours=1)


def test_logout_revokes_only_the_token_used(client: Client, officer: User) -> None:
    first = post_token(client, username="siti", password=PASSWORD).json()["token"]
    second = post_token(client, username="siti", password=PASSWORD).json()["token"]

    response = client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}")

    assert (response.status_code, response.json()) == (200, {"revoked": 1})
    assert client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 403
    assert client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_logout_all_revokes_every_token_of_the_user(
    client: Client, officer: User, orgs: StandardOrganisations
) -> None:
    other = UserFactory.create(username="dewi", organisation=orgs.semarang)
    _kept, other_token = AuthToken.objects.create(user=other)
    tokens = [post_token(client, username="siti", password=PASSWORD).json()["token"] for _ in "ab"]

    response = client.post("/api/v1/auth/logout-all/", HTTP_AUTHORIZATION=f"Token {tokens[0]}")

    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["dewi"]
    me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {other_token}")
    assert me.status_code == 200


def test_logout_needs_authentication(client: Client) -> None:
    assert client.post("/api/v1/auth/logout/").status_code == 403
    assert client.post("/api/v1/auth/logout-all/").status_code == 403


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
    assert AuthToken.objects.count() == 0


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
    assert AuthToken.objects.count() == 0
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
    assert AuthToken.objects.count() == 0
    assert AccessAttempt.objects.count() == 0


def test_totp_user_with_otp(client: Client, totp_officer: User) -> None:
    code = current_code(totp_officer.totp_secret)

    response = post_token(client, username="budi", password=PASSWORD, otp=code)
    replay = post_token(client, username="budi", password=PASSWORD, otp=code)

    assert response.status_code == 200
    assert AuthToken.objects.filter(user=totp_officer).count() == 1
    assert sorted(response.json()) == ["expiry", "token"]
    assert replay.status_code == 400
    assert replay.json() == {"detail": "Invalid parameter: otp", "errors": {"otp": [INVALID_CODE]}}


@pytest.mark.parametrize(
    ("otp", "error"),
    [
        ("wrong", INVALID_CODE),
        ("abcde-fghjk", INVALID_CODE),
        ("12345", "Enter the 6 digits of the code, or a recovery code."),
    ],
)
def test_totp_user_with_wrong_otp(client: Client, totp_officer: User, otp: str, error: str) -> None:
    typed = wrong_code(totp_officer.totp_secret) if otp == "wrong" else otp

    response = post_token(client, username="budi", password=PASSWORD, otp=typed)

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid parameter: otp", "errors": {"otp": [error]}}
    assert AuthToken.objects.count() == 0


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
    assert AuthToken.objects.count() == 0


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
    _stored, token = AuthToken.objects.create(user=user)

    response = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}")

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
    # Authentication is off on this endpoint: no 401 or 403 (kembar.common.schema).
    assert sorted(token["responses"]) == ["200", "400", "404", "406", "413", "415", "429"]
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


def test_totp_user_with_a_recovery_code(client: Client, officer: User) -> None:
    from kembar.accounts import services, totp

    secret = totp.new_secret()
    codes = services.user_totp_enable(user=officer, secret=secret, code=current_code(secret))

    response = post_token(client, username="siti", password=PASSWORD, otp=codes[2])
    replay = post_token(client, username="siti", password=PASSWORD, otp=codes[2])

    assert response.status_code == 200
    assert replay.json() == {"detail": "Invalid parameter: otp", "errors": {"otp": [INVALID_CODE]}}
    assert AuthToken.objects.filter(user=officer).count() == 1
