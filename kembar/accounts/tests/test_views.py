from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from kembar.accounts import totp, views
from kembar.accounts.models import User
from kembar.accounts.tests.factories import (
    PASSWORD,
    StandardOrganisations,
    UserFactory,
    current_code,
    force_login_with_second_factor,
    wrong_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]

LIMIT: int = django_settings.AXES_FAILURE_LIMIT
LOCKED_OUT_EN = (
    f"Signing in to this account from your address is paused after {LIMIT} failed attempts."
)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def post_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "next": "/"}, **extra
    )


# --- Password step ---------------------------------------------------------------------


def test_login_page_in_indonesian_by_default(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_login_page_in_english_when_chosen(english: Client) -> None:
    response = english.get("/accounts/login/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert '<h1 id="login-heading">Sign in</h1>' in html
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_login_success_signs_in_and_rotates_the_session(client: Client, officer: User) -> None:
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    response = post_login(client, "siti", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.session.session_key != before
    officer.refresh_from_db()
    assert officer.last_login is not None


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/accounts/security/", "/accounts/security/"),
        ("/?page=2", "/?page=2"),
        ("https://evil.example/", "/after-login/"),
        ("//evil.example/", "/after-login/"),
        ("", "/after-login/"),
    ],
)
def test_login_honours_only_a_safe_next(
    client: Client, officer: User, settings: Any, next_url: str, expected: str
) -> None:
    # The configured default (staff:partnership-list) does not exist yet.
    settings.LOGIN_REDIRECT_URL = "/after-login/"

    response = client.post(
        "/accounts/login/", {"username": "siti", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == expected


@pytest.mark.parametrize(
    ("username", "password"), [("siti", "wrong-password-123"), ("nobody", PASSWORD)]
)
def test_login_failure(english: Client, officer: User, username: str, password: str) -> None:
    response = post_login(english, username, password)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["The username or the password is not correct."]
    }
    assert signed_in_user_id(english) is None


def test_inactive_user_cannot_sign_in(client: Client, officer: User) -> None:
    User.objects.filter(pk=officer.pk).update(is_active=False)

    response = post_login(client, "siti", PASSWORD)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


# --- Lockout (django-axes) --------------------------------------------------------------


def test_lockout_after_exactly_the_limit(english: Client, officer: User) -> None:
    for attempt in range(1, LIMIT):
        response = post_login(english, "siti", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert response.templates[0].name == "accounts/login.html"

    locking = post_login(english, "siti", "wrong-last")

    assert locking.status_code == 429
    assert "accounts/locked_out.html" in [template.name for template in locking.templates]
    assert LOCKED_OUT_EN in locking.content.decode()
    assert AccessAttempt.objects.get(username="siti").failures_since_start == LIMIT


def test_correct_password_while_locked_out_does_not_sign_in(english: Client, officer: User) -> None:
    for attempt in range(LIMIT):
        post_login(english, "siti", f"wrong-{attempt}")

    response = post_login(english, "siti", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT_EN in response.content.decode()
    assert signed_in_user_id(english) is None
    assert "_auth_user_id" not in english.session.load()
    officer.refresh_from_db()
    assert officer.last_login is None


def test_locked_out_page_in_indonesian_by_default(client: Client, officer: User) -> None:
    for attempt in range(LIMIT):
        response = post_login(client, "siti", f"wrong-{attempt}")

    assert response.status_code == 429
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_lockout_is_per_username_and_address(client: Client, orgs: StandardOrganisations) -> None:
    UserFactory.create(username="siti", organisation=orgs.semarang)
    UserFactory.create(username="dewi", organisation=orgs.semarang)
    for attempt in range(LIMIT):
        post_login(client, "siti", f"wrong-{attempt}")

    other_user = post_login(client, "dewi", PASSWORD)
    other_address = Client().post(
        "/accounts/login/",
        {"username": "siti", "password": PASSWORD, "next": "/"},
        REMOTE_ADDR="10.20.30.40",
    )

    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_success_before_the_limit_resets_the_count(client: Client, officer: User) -> None:
    for attempt in range(LIMIT - 1):
        post_login(client, "siti", f"wrong-{attempt}")

    assert post_login(client, "siti", PASSWORD).status_code == 302
    assert AccessAttempt.objects.filter(username="siti").count() == 0


# --- Second factor step --------------------------------------------------------------------


def test_password_of_totp_user_does_not_sign_in(client: Client, totp_officer: User) -> None:
    response = post_login(client, "budi", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/verify/"
    assert signed_in_user_id(client) is None
    assert client.session[views.PENDING_USER] == totp_officer.pk
    assert client.session[views.PENDING_NEXT] == "/"


def test_verify_page_asks_for_the_code(english: Client, totp_officer: User) -> None:
    post_login(english, "budi", PASSWORD)

    response = english.get("/accounts/login/verify/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'name="code"' in html


def test_valid_code_completes_sign_in(client: Client, totp_officer: User) -> None:
    post_login(client, "budi", PASSWORD)
    half_signed_in_key = client.session.session_key
    now = timezone.now()

    response = client.post(
        "/accounts/login/verify/", {"code": totp.totp(totp_officer.totp_secret, now)}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == str(totp_officer.pk)
    assert client.session.session_key != half_signed_in_key
    assert views.PENDING_USER not in client.session
    totp_officer.refresh_from_db()
    assert totp_officer.totp_last_step == totp.time_step(now)


def test_code_with_a_space_is_accepted(client: Client, totp_officer: User) -> None:
    post_login(client, "budi", PASSWORD)
    code = current_code(totp_officer.totp_secret)

    response = client.post("/accounts/login/verify/", {"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(totp_officer.pk)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("wrong", "This code is not valid. Enter the current code from your authenticator app."),
        ("12345", "Enter the 6 digits of the code, or a recovery code."),
        ("abcdef", "Enter the 6 digits of the code, or a recovery code."),
        ("", "This field is required."),
    ],
)
def test_wrong_code_does_not_sign_in(
    english: Client, totp_officer: User, code: str, error: str
) -> None:
    post_login(english, "budi", PASSWORD)
    typed = wrong_code(totp_officer.totp_secret) if code == "wrong" else code

    response = english.post("/accounts/login/verify/", {"code": typed})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [error]}
    assert signed_in_user_id(english) is None
    assert english.session[views.PENDING_USER] == totp_officer.pk


def test_used_code_cannot_sign_in_again(client: Client, totp_officer: User) -> None:
    code = current_code(totp_officer.totp_secret)
    post_login(client, "budi", PASSWORD)
    assert client.post("/accounts/login/verify/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    assert signed_in_user_id(client) is None
    client.cookies["kembar_language"] = "en"

    post_login(client, "budi", PASSWORD)
    replay = client.post("/accounts/login/verify/", {"code": code})

    assert replay.status_code == 200
    assert replay.context["form"].errors == {
        "code": ["This code is not valid. Enter the current code from your authenticator app."]
    }
    assert signed_in_user_id(client) is None


def test_verify_without_password_step_goes_back_to_login(client: Client) -> None:
    response = client.get("/accounts/login/verify/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/"


def test_pending_sign_in_expires(client: Client, totp_officer: User) -> None:
    post_login(client, "budi", PASSWORD)
    session = client.session
    session[views.PENDING_SINCE] = timezone.now().timestamp() - views.PENDING_SECONDS - 1
    session.save()

    response = client.post(
        "/accounts/login/verify/", {"code": current_code(totp_officer.totp_secret)}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert views.PENDING_USER not in client.session


def test_wrong_codes_count_towards_the_lockout(english: Client, totp_officer: User) -> None:
    post_login(english, "budi", PASSWORD)
    bad = wrong_code(totp_officer.totp_secret)
    for attempt in range(1, LIMIT):
        assert english.post("/accounts/login/verify/", {"code": bad}).status_code == 200, attempt

    locking = english.post("/accounts/login/verify/", {"code": bad})
    after = english.post(
        "/accounts/login/verify/", {"code": current_code(totp_officer.totp_secret)}
    )

    assert locking.status_code == 429
    assert LOCKED_OUT_EN in locking.content.decode()
    assert after.status_code == 429
    assert signed_in_user_id(english) is None
    assert views.PENDING_USER not in english.session
    totp_officer.refresh_from_db()
    assert totp_officer.totp_last_step is None


# --- Sign-out ----------------------------------------------------------------------------


def test_logout_is_post_only(client: Client, officer: User) -> None:
    client.force_login(officer)

    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) == str(officer.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) is None


# --- Security page ---------------------------------------------------------------------------


def test_security_page_needs_sign_in(client: Client) -> None:
    response = client.get("/accounts/security/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/security/"


def test_security_page_shows_the_factor_off(english: Client, officer: User) -> None:
    english.force_login(officer)

    response = english.get("/accounts/security/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="switch switch--off" id="totp-state">Off</span>' in html
    assert 'action="/accounts/security/totp/start/"' in html


def test_security_page_shows_the_factor_on(english: Client, totp_officer: User) -> None:
    force_login_with_second_factor(english, totp_officer)

    response = english.get("/accounts/security/")

    html = response.content.decode()
    assert '<span class="switch switch--on" id="totp-state">On</span>' in html
    assert 'action="/accounts/security/totp/disable/"' in html
    assert totp_officer.totp_secret not in html


def test_turn_on_shows_the_key_and_changes_nothing_yet(client: Client, officer: User) -> None:
    client.force_login(officer)

    started = client.post("/accounts/security/totp/start/")
    page = client.get("/accounts/security/")

    assert started.status_code == 302
    assert started.headers["Location"] == "/accounts/security/"
    secret = client.session[views.SETUP_SESSION_KEY]
    assert len(secret) == 32
    html = page.content.decode()
    assert f'<code class="secret-key" id="totp-key">{totp.format_secret(secret)}</code>' in html
    assert (
        f'<code class="setup-uri" id="totp-uri">otpauth://totp/Kembar:siti?secret={secret}'
        "&amp;issuer=Kembar</code>"
    ) in html
    officer.refresh_from_db()
    assert (officer.totp_enabled, officer.totp_secret) == (False, "")


def test_turn_on_with_a_valid_code(english: Client, officer: User) -> None:
    english.force_login(officer)
    english.post("/accounts/security/totp/start/")
    secret = english.session[views.SETUP_SESSION_KEY]

    response = english.post("/accounts/security/totp/confirm/", {"code": current_code(secret)})

    # The recovery codes are in this response only.
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10
    html = response.content.decode()
    for code in codes:
        assert f"<li><code>{code}</code></li>" in html
    assert '<li class="notice notice--success">The second factor is on.</li>' in html
    officer.refresh_from_db()
    assert officer.totp_enabled is True
    assert officer.totp_secret == secret
    assert officer.history.latest().history_change_reason == "second factor turned on"
    assert views.SETUP_SESSION_KEY not in english.session
    # This session proved the factor, so it stays signed in; the codes are not shown again.
    page = english.get("/accounts/security/")
    assert signed_in_user_id(english) == str(officer.pk)
    assert page.context["recovery_codes"] is None
    assert codes[0] not in page.content.decode()
    assert "10 unused recovery codes left." in page.content.decode()


def test_turn_on_with_a_wrong_code(english: Client, officer: User) -> None:
    english.force_login(officer)
    english.post("/accounts/security/totp/start/")
    secret = english.session[views.SETUP_SESSION_KEY]
    history_before = officer.history.count()

    response = english.post("/accounts/security/totp/confirm/", {"code": wrong_code(secret)})

    assert response.status_code == 200
    assert response.context["setup"]["form"].errors == {
        "code": ["This code is not valid. Enter the current code from your authenticator app."]
    }
    officer.refresh_from_db()
    assert (officer.totp_enabled, officer.totp_secret) == (False, "")
    assert officer.history.count() == history_before
    assert english.session[views.SETUP_SESSION_KEY] == secret


def test_cancel_turning_on(client: Client, officer: User) -> None:
    client.force_login(officer)
    client.post("/accounts/security/totp/start/")

    response = client.post("/accounts/security/totp/cancel/")

    assert response.status_code == 302
    assert views.SETUP_SESSION_KEY not in client.session


def test_confirm_without_start_changes_nothing(client: Client, officer: User) -> None:
    client.force_login(officer)

    response = client.post("/accounts/security/totp/confirm/", {"code": "123456"})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.totp_enabled is False


def test_user_without_role_cannot_turn_on(english: Client, orgs: StandardOrganisations) -> None:
    citizen = UserFactory.create(username="warga", role="", organisation=None)
    english.force_login(citizen)
    history_before = citizen.history.count()

    page = english.get("/accounts/security/")
    started = english.post("/accounts/security/totp/start/")
    session = english.session
    session[views.SETUP_SESSION_KEY] = secret = totp.new_secret()
    session.save()
    confirmed = english.post("/accounts/security/totp/confirm/", {"code": current_code(secret)})

    assert "Only staff accounts can turn on the second factor." in page.content.decode()
    assert 'action="/accounts/security/totp/start/"' not in page.content.decode()
    assert started.status_code == 403
    assert confirmed.status_code == 403
    citizen.refresh_from_db()
    assert (citizen.totp_enabled, citizen.totp_secret) == (False, "")
    assert citizen.history.count() == history_before


@pytest.mark.parametrize("path", ["start", "confirm", "cancel", "disable"])
def test_security_actions_are_post_only(client: Client, officer: User, path: str) -> None:
    client.force_login(officer)

    assert client.get(f"/accounts/security/totp/{path}/").status_code == 405


@pytest.mark.parametrize(
    ("password_ok", "code_ok", "errors"),
    [
        (False, True, {"password": ["The password is not correct."]}),
        (
            True,
            False,
            {
                "code": [
                    "This code is not valid. Enter the current code from your authenticator app."
                ]
            },
        ),
    ],
)
def test_turn_off_needs_password_and_code(
    english: Client,
    totp_officer: User,
    password_ok: bool,
    code_ok: bool,
    errors: dict[str, list[str]],
) -> None:
    force_login_with_second_factor(english, totp_officer)
    secret = totp_officer.totp_secret

    response = english.post(
        "/accounts/security/totp/disable/",
        {
            "password": PASSWORD if password_ok else "not-the-password",
            "code": current_code(secret) if code_ok else wrong_code(secret),
        },
    )

    assert response.status_code == 200
    assert response.context["disable_form"].errors == errors
    totp_officer.refresh_from_db()
    assert (totp_officer.totp_enabled, totp_officer.totp_secret) == (True, secret)
    assert AccessAttempt.objects.get(username="budi").failures_since_start == 1


def test_turn_off(english: Client, totp_officer: User) -> None:
    force_login_with_second_factor(english, totp_officer)

    response = english.post(
        "/accounts/security/totp/disable/",
        {"password": PASSWORD, "code": current_code(totp_officer.totp_secret)},
    )

    assert response.status_code == 302
    totp_officer.refresh_from_db()
    assert (totp_officer.totp_enabled, totp_officer.totp_secret) == (False, "")
    assert totp_officer.totp_last_step is None
    assert totp_officer.history.latest().history_change_reason == "second factor turned off"


def test_then_sign_in_with_the_new_factor(client: Client, officer: User) -> None:
    """End to end: turn on, sign out, sign in with password and a later code."""
    client.force_login(officer)
    client.post("/accounts/security/totp/start/")
    secret = client.session[views.SETUP_SESSION_KEY]
    confirming_code = current_code(secret)
    client.post("/accounts/security/totp/confirm/", {"code": confirming_code})
    client.post("/accounts/logout/")

    post_login(client, "siti", PASSWORD)
    replay = client.post("/accounts/login/verify/", {"code": confirming_code})

    assert replay.status_code == 200
    assert signed_in_user_id(client) is None


# --- Recovery codes and API tokens on the security page ----------------------------------------


def enrolled(client: Client, user: User) -> list[str]:
    """Turn the factor on through the pages; the recovery codes they show once."""
    client.force_login(user)
    client.post("/accounts/security/totp/start/")
    secret = client.session[views.SETUP_SESSION_KEY]
    response = client.post("/accounts/security/totp/confirm/", {"code": current_code(secret)})
    return list(response.context["recovery_codes"])


def test_sign_in_with_a_recovery_code(english: Client, officer: User) -> None:
    codes = enrolled(english, officer)
    english.post("/accounts/logout/")
    english.cookies["kembar_language"] = "en"

    post_login(english, "siti", PASSWORD)
    response = english.post("/accounts/login/verify/", {"code": codes[0].upper()}, follow=True)

    assert signed_in_user_id(english) == str(officer.pk)
    assert response.redirect_chain == [("/accounts/security/", 302)]
    assert (
        "You signed in with a recovery code; 9 are left. Make new ones here."
        in response.content.decode()
    )
    english.post("/accounts/logout/")
    english.cookies["kembar_language"] = "en"
    post_login(english, "siti", PASSWORD)
    replay = english.post("/accounts/login/verify/", {"code": codes[0]})
    assert replay.status_code == 200
    assert replay.context["form"].errors == {
        "code": ["This code is not valid. Enter the current code from your authenticator app."]
    }
    assert signed_in_user_id(english) is None


def test_make_new_recovery_codes(english: Client, officer: User) -> None:
    old = enrolled(english, officer)

    response = english.post("/accounts/security/recovery-codes/")

    assert response.status_code == 200
    new = response.context["recovery_codes"]
    assert len(new) == 10 and set(new).isdisjoint(old)
    assert "10 unused recovery codes left." in response.content.decode()


def test_revoke_all_my_api_tokens(english: Client, officer: User) -> None:
    from knox.models import AuthToken

    english.force_login(officer)
    AuthToken.objects.create(user=officer)
    AuthToken.objects.create(user=officer)
    page = english.get("/accounts/security/").content.decode()

    response = english.post("/accounts/security/tokens/revoke/", follow=True)

    assert '<p id="api-tokens">2 API tokens work now.' in page
    assert AuthToken.objects.filter(user=officer).count() == 0
    assert "API tokens revoked: 2." in response.content.decode()
    assert english.get("/accounts/security/tokens/revoke/").status_code == 405
