"""Citizens sign in by a one-time code sent by e-mail (django-allauth), and only citizens.

The codes are read from the real outgoing mail (``django.core.mail.outbox``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from kembar.accounts.citizen_adapter import CitizenAccountAdapter
from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    force_login_with_second_factor,
)

pytestmark = pytest.mark.django_db

REQUEST = "/warga/masuk/"
CONFIRM = "/warga/masuk/konfirmasi/"
SIGNUP = "/warga/daftar/"
HOME = "/warga/"
LOGOUT = "/warga/keluar/"


@pytest.fixture
def citizen(db: None) -> User:
    user = User.objects.create(username="warga1", email="ani@example.org", role=Role.CITIZEN)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


#: A line of the mail that is a code (allauth's format: ``ABCD-EFGH``).
CODE_LINE = r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$"


def code_from_mail(message: Any) -> str:
    """The code in a login or verification mail: its one code line."""
    codes = re.findall(CODE_LINE, str(message.body), flags=re.MULTILINE)
    assert len(codes) == 1, message.body
    return str(codes[0])


def has_code(message: Any) -> bool:
    return bool(re.findall(CODE_LINE, str(message.body), flags=re.MULTILINE))


def request_code(client: Client, email: str) -> Any:
    return client.post(REQUEST, {"email": email})


def wrong(code: str) -> str:
    return "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"


# --- Sign-in by code ------------------------------------------------------------------------


def test_request_confirm_signs_in_as_citizen(client: Client, citizen: User) -> None:
    response = request_code(client, "ani@example.org")
    assert response.status_code == 302
    assert response["Location"] == CONFIRM
    assert [m.to for m in mail.outbox] == [["ani@example.org"]]
    code = code_from_mail(mail.outbox[0])

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert signed_in_user_id(client) == str(citizen.pk)
    home = client.get(HOME)
    assert home.status_code == 200
    assert "ani@example.org" in home.content.decode()
    assert 'action="/warga/keluar/"' in home.content.decode()


def test_code_works_once(client: Client, citizen: User) -> None:
    request_code(client, citizen.email)
    code = code_from_mail(mail.outbox[0])
    client.post(CONFIRM, {"code": code})
    client.post(LOGOUT)
    assert signed_in_user_id(client) is None

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302
    assert response["Location"] == REQUEST
    assert signed_in_user_id(client) is None


def test_wrong_code_does_not_sign_in_and_counts_for_axes(english: Client, citizen: User) -> None:
    request_code(english, citizen.email)
    code = code_from_mail(mail.outbox[0])

    response = english.post(CONFIRM, {"code": wrong(code)})

    assert response.status_code == 200
    assert signed_in_user_id(english) is None
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (citizen.username, 1)


def test_three_wrong_codes_end_the_code(english: Client, citizen: User) -> None:
    request_code(english, citizen.email)
    code = code_from_mail(mail.outbox[0])
    statuses = [english.post(CONFIRM, {"code": wrong(code)}).status_code for _ in range(3)]

    assert statuses == [200, 200, 302]
    # The right code no longer works: a new one must be asked for.
    response = english.post(CONFIRM, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == REQUEST
    assert signed_in_user_id(english) is None


def _age(value: Any, seconds: float) -> None:
    """Move every code's send time (allauth's ``at``) in a pending login ``seconds`` back."""
    if isinstance(value, dict):
        if isinstance(value.get("at"), float):
            value["at"] -= seconds
        for item in value.values():
            _age(item, seconds)


def test_code_expires(client: Client, citizen: User) -> None:
    request_code(client, citizen.email)
    code = code_from_mail(mail.outbox[0])
    session = client.session
    stash = session["account_login"]
    _age(stash, django_settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT + 1)
    session["account_login"] = stash
    session.save()

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302
    assert response["Location"] == REQUEST
    assert signed_in_user_id(client) is None


def test_locked_out_citizen_gets_no_code(citizen: User, settings: Any) -> None:
    # allauth's own limit would stop the requests first (see the next tests); lift it here.
    settings.ACCOUNT_RATE_LIMITS = {
        **django_settings.ACCOUNT_RATE_LIMITS,
        "request_login_code": "100/m/ip,100/m/key",
    }
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        attacker = Client()
        request_code(attacker, citizen.email)
        attacker.post(CONFIRM, {"code": "AAAA-AAAA"})
    assert AccessAttempt.objects.get().failures_since_start == limit
    mail.outbox.clear()

    response = request_code(Client(), citizen.email)

    assert response.status_code == 200
    assert "too many" in response.content.decode().lower() or "terlalu" in (
        response.content.decode().lower()
    )
    assert mail.outbox == []


def test_code_requests_are_rate_limited_per_address(citizen: User) -> None:
    # Each from a new session, as a script would; ACCOUNT_RATE_LIMITS allows 3 a minute.
    statuses = [request_code(Client(), citizen.email).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 200]
    assert len(mail.outbox) == 3


def test_code_requests_are_rate_limited_per_client_address(citizen: User) -> None:
    emails = [f"orang{n}@example.org" for n in range(11)]
    statuses = [request_code(Client(), email).status_code for email in emails]

    # ACCOUNT_RATE_LIMITS allows 10 a minute from one address, whatever the e-mail.
    assert statuses == [302] * 10 + [200]


def test_unknown_address_gets_no_code(client: Client, citizen: User) -> None:
    response = request_code(client, "nobody@example.org")

    # Same answer as for a known address (no enumeration); the mail holds no code.
    assert response.status_code == 302
    assert response["Location"] == CONFIRM
    assert [m.to for m in mail.outbox] == [["nobody@example.org"]]
    assert not has_code(mail.outbox[0])


# --- Staff never sign in here ------------------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role if role != Role.CITIZEN])
def test_staff_email_gets_no_code_and_cannot_sign_in(
    client: Client, orgs: StandardOrganisations, role: Role
) -> None:
    staff = UserFactory.create(username="staf", role=role, organisation=orgs.semarang)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)

    response = request_code(client, staff.email)

    assert response.status_code == 302
    assert not any(has_code(m) for m in mail.outbox)
    for guess in ("AAAA-AAAA", "ABCD-EFGH"):
        client.post(CONFIRM, {"code": guess})
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PARTNER_COUNTERPART, ""])
def test_adapter_refuses_to_sign_in_anyone_but_a_citizen(
    rf: RequestFactory, orgs: StandardOrganisations, role: str
) -> None:
    """However allauth got there (a stage, a later version's new way in), staff are refused."""
    staff = UserFactory.create(username="staf", role=role, organisation=orgs.semarang)
    request = rf.post(REQUEST)
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)

    with pytest.raises(PermissionDenied):
        CitizenAccountAdapter(request).login(request, staff)
    with pytest.raises(PermissionDenied):
        CitizenAccountAdapter(request).pre_login(
            request,
            staff,
            email_verification="mandatory",
            signal_kwargs=None,
            email=staff.email,
            signup=False,
            redirect_url=None,
        )
    assert SESSION_KEY not in request.session


def test_citizen_with_staff_flag_is_refused(client: Client, citizen: User) -> None:
    citizen.is_staff = True
    citizen.save()

    request_code(client, citizen.email)

    assert not any(has_code(m) for m in mail.outbox)
    assert signed_in_user_id(client) is None


def test_citizen_cannot_use_the_staff_sign_in(client: Client, citizen: User) -> None:
    for password in ("", "!", citizen.password):
        client.post("/accounts/login/", {"username": citizen.username, "password": password})
    assert signed_in_user_id(client) is None


def test_staff_page_stays_out_of_the_citizen_page(
    client: Client, orgs: StandardOrganisations
) -> None:
    staff = UserFactory.create(username="staf", role=Role.ADMINISTRATOR, organisation=None)
    force_login_with_second_factor(client, staff)
    assert client.get(HOME).status_code == 403


# --- Signing up ------------------------------------------------------------------------------


def test_signup_by_email_makes_a_citizen_without_password(client: Client) -> None:
    response = client.post(SIGNUP, {"email": "budi@example.org"})
    assert response.status_code == 302
    # Signing in always takes a code (ACCOUNT_LOGIN_BY_CODE_REQUIRED); it confirms the address.
    assert response["Location"] == CONFIRM
    user = User.objects.get(email="budi@example.org")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.CITIZEN, False, False)
    assert not user.has_usable_password()
    assert signed_in_user_id(client) is None
    assert [m.to for m in mail.outbox] == [["budi@example.org"]]
    code = code_from_mail(mail.outbox[0])

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_signup_with_a_staff_address_makes_no_account(
    client: Client, orgs: StandardOrganisations
) -> None:
    staff = UserFactory.create(username="staf", role=Role.ADMINISTRATOR, organisation=None)

    client.post(SIGNUP, {"email": staff.email})

    assert list(User.objects.filter(email__iexact=staff.email)) == [staff]
    assert signed_in_user_id(client) is None
    assert mail.outbox == []
    staff.refresh_from_db()
    assert staff.role == Role.ADMINISTRATOR


def test_signup_with_a_citizen_address_says_how_to_sign_in(client: Client, citizen: User) -> None:
    client.post(SIGNUP, {"email": citizen.email})

    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert "http://testserver/warga/masuk/" in mail.outbox[0].body
    assert not has_code(mail.outbox[0])
    assert signed_in_user_id(client) is None


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [REQUEST, SIGNUP, LOGOUT])
def test_forms_need_the_csrf_token(citizen: User, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"email": citizen.email})
    assert response.status_code == 403
    assert mail.outbox == []


def test_confirm_needs_the_csrf_token(citizen: User) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(REQUEST)
    token = page.context["csrf_token"]
    client.post(REQUEST, {"email": citizen.email, "csrfmiddlewaretoken": str(token)})
    code = code_from_mail(mail.outbox[0])

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 403
    assert signed_in_user_id(client) is None


# --- A citizen never reaches a staff page or a staff/write API -----------------------------------


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            yield text


def _concrete(route: str) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(r"\(\?:[^)]*\)\??", "", route)
    route = re.sub(r"<(?:int:)(\w+)>", "1", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", "x", route)
    return "/" + route.replace("\\", "")


STAFF_PREFIXES = ("staff/", "admin/", "notifications/", "accounts/security/")
#: The API a citizen must not write to or read staff data from: everything but the public reads.
API_PREFIX = "api/v1/"


def _staff_routes() -> list[str]:
    routes = sorted(set(_routes(get_resolver().url_patterns)))
    return [r for r in routes if r.startswith(STAFF_PREFIXES) or r.startswith(API_PREFIX)]


def test_walk_finds_staff_and_api_routes() -> None:
    routes = _staff_routes()
    assert sum(r.startswith("staff/") for r in routes) > 20
    assert sum(r.startswith("admin/") for r in routes) > 20
    assert sum(r.startswith("api/v1/") for r in routes) > 10


ALLOWED = {302, 400, 401, 403, 404, 405}
#: The signed-in person's own account (reading it, signing out, revoking their own tokens),
#: not staff data; each is checked below or in test_views.py for what it may change.
OWN = {
    "api/v1/auth/me/",
    "api/v1/auth/logout/",
    "api/v1/auth/logout-all/",
    "admin/logout/",
    "notifications/",
    "accounts/security/",
    "accounts/security/tokens/revoke/",
    "accounts/security/totp/cancel/",
    "accounts/security/totp/confirm/",
    "accounts/security/totp/disable/",
    "accounts/security/recovery-codes/",
}


def test_citizen_reaches_no_staff_page_and_writes_nothing(
    client: Client, citizen: User, orgs: StandardOrganisations
) -> None:
    client.force_login(citizen)
    failures = []
    for route in _staff_routes():
        if route in OWN:
            continue
        url = _concrete(route)
        is_api = route.startswith(API_PREFIX)
        for method in ("get", "post", "put", "patch", "delete"):
            if is_api and method == "get":
                continue  # public reads are checked by the disclosure walk
            response = getattr(client, method)(url, {} if method == "post" else None)
            location = response.get("Location", "")
            if response.status_code not in ALLOWED or (
                response.status_code == 302 and "login" not in location
            ):
                failures.append(f"{method.upper()} {url} → {response.status_code} {location}")
            if signed_in_user_id(client) is None:
                client.force_login(citizen)
    assert failures == []


def test_citizen_cannot_turn_on_a_second_factor(client: Client, citizen: User) -> None:
    client.force_login(citizen)

    assert client.post("/accounts/security/totp/start/").status_code == 403
    for path in ("/accounts/security/totp/confirm/", "/accounts/security/recovery-codes/"):
        client.post(path, {"code": "123456"})
    citizen.refresh_from_db()
    assert (citizen.totp_enabled, citizen.totp_key, citizen.recovery_codes.count()) == (
        False,
        "",
        0,
    )


def test_citizen_api_reads_show_no_staff_data(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    anonymous = Client()
    differences = []
    for route in _staff_routes():
        if not route.startswith(API_PREFIX) or "<" in route or "(?P" in route or route in OWN:
            continue
        url = _concrete(route)
        as_citizen = client.get(url)
        as_anonymous = anonymous.get(url)
        if as_citizen.status_code == 200 and as_citizen.content != as_anonymous.content:
            differences.append(url)
    assert differences == []
