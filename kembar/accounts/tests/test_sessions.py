"""Every way in needs the second factor; sessions end when idle and after their lifetime."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from kembar.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import (
    PASSWORD,
    StandardOrganisations,
    UserFactory,
    current_code,
    force_login_with_second_factor,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]

IDLE: int = django_settings.KEMBAR_SESSION_IDLE_SECONDS


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = timezone.now().timestamp()
    for key, ago in seconds_ago.items():
        session[{"signed_in": SIGNED_IN_AT, "last_seen": LAST_SEEN}[key]] = now - ago
    session.save()


@pytest.fixture
def totp_admin(orgs: StandardOrganisations) -> User:
    from kembar.accounts import totp

    return UserFactory.create(
        username="admin2fa",
        role=Role.ADMINISTRATOR,
        organisation=None,
        is_staff=True,
        is_superuser=True,
        totp_secret=totp.new_secret(),
        totp_enabled=True,
    )


# --- Admin ---------------------------------------------------------------------------------


def test_admin_login_page_is_the_kembar_sign_in(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_admin_login_with_the_password_alone_gives_no_session(
    client: Client, totp_admin: User
) -> None:
    response = client.post(
        "/admin/login/", {"username": "admin2fa", "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/"
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_admin_after_password_and_code(client: Client, totp_admin: User) -> None:
    assert client.get("/admin/").headers["Location"] == "/admin/login/?next=/admin/"
    client.post(
        "/accounts/login/", {"username": "admin2fa", "password": PASSWORD, "next": "/admin/"}
    )
    assert client.get("/admin/").status_code == 302

    verified = client.post(
        "/accounts/login/verify/", {"code": current_code(totp_admin.totp_secret)}
    )

    assert verified.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_session_without_the_second_factor_ends(english: Client, totp_admin: User) -> None:
    """A session opened on the password alone (another way in, or before the factor was on)."""
    english.force_login(totp_admin)

    admin = english.get("/admin/")
    page = english.get("/accounts/security/")

    assert admin.status_code == 302
    assert page.status_code == 302
    assert page.headers["Location"] == "/accounts/login/?next=/accounts/security/"
    assert not signed_in(english)
    login = english.get(page.headers["Location"])
    assert "Sign in again with your second factor." in login.content.decode()


def test_turning_the_factor_on_ends_the_other_sessions(officer: User) -> None:
    other_device = Client()
    other_device.force_login(officer)
    this_device = Client()
    this_device.force_login(officer)
    this_device.post("/accounts/security/totp/start/")
    secret = this_device.session["accounts:totp_setup_secret"]

    this_device.post("/accounts/security/totp/confirm/", {"code": current_code(secret)})

    assert this_device.get("/accounts/security/").status_code == 200
    assert other_device.get("/accounts/security/").status_code == 302
    assert not signed_in(other_device)


# --- Idle timeout and lifetime ------------------------------------------------------------


def test_idle_session_ends(english: Client, officer: User) -> None:
    english.force_login(officer)
    english.get("/accounts/security/")
    age_session(english, last_seen=IDLE + 1)

    response = english.get("/accounts/security/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/security/"
    assert not signed_in(english)
    login = english.get(response.headers["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in login


def test_an_idle_citizen_is_sent_to_the_residents_sign_in(english: Client) -> None:
    citizen = UserFactory.create(username="warga", email="warga@example.org", role=Role.CITIZEN)
    english.force_login(citizen)
    english.get("/warga/")
    age_session(english, last_seen=IDLE + 1)

    response = english.get("/warga/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/warga/masuk/?next=/warga/"
    assert not signed_in(english)


def test_active_session_goes_on(client: Client, officer: User) -> None:
    client.force_login(officer)
    client.get("/accounts/security/")
    age_session(client, last_seen=IDLE - 5)

    assert client.get("/accounts/security/").status_code == 200
    assert timezone.now().timestamp() - client.session[LAST_SEEN] < 5
    assert client.get("/accounts/security/").status_code == 200


def test_busy_session_ends_after_its_lifetime(client: Client, officer: User) -> None:
    client.force_login(officer)
    client.get("/accounts/security/")
    age_session(client, signed_in=django_settings.SESSION_COOKIE_AGE + 1, last_seen=10)

    response = client.get("/accounts/security/")

    assert response.status_code == 302
    assert not signed_in(client)


def test_idle_timeout_is_a_setting(client: Client, officer: User, settings: Any) -> None:
    settings.KEMBAR_SESSION_IDLE_SECONDS = 120
    client.force_login(officer)
    client.get("/accounts/security/")
    age_session(client, last_seen=121)

    assert client.get("/accounts/security/").status_code == 302


def test_idle_api_session_answers_403_json(client: Client, officer: User) -> None:
    client.force_login(officer)
    assert client.get("/api/v1/auth/me/").status_code == 200
    age_session(client, last_seen=IDLE + 1)

    response = client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert not signed_in(client)


def test_sign_in_starts_the_clocks(client: Client, officer: User) -> None:
    before = timezone.now().timestamp()

    client.post("/accounts/login/", {"username": "siti", "password": PASSWORD, "next": "/"})

    assert before <= client.session[SIGNED_IN_AT] <= timezone.now().timestamp()
    assert client.session[LAST_SEEN] == client.session[SIGNED_IN_AT]


def test_force_login_with_second_factor_helper(client: Client, totp_officer: User) -> None:
    force_login_with_second_factor(client, totp_officer)

    assert client.get("/accounts/security/").status_code == 200
