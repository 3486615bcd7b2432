from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from knox.models import AuthToken

from kembar.accounts import services, totp
from kembar.accounts.models import RecoveryCode, Role, User
from kembar.accounts.tests.factories import PASSWORD, StandardOrganisations, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services speak the active language; these tests assert the English messages."""
    with translation.override("en"):
        yield


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
STEP = totp.time_step(AT)


def code(offset: int = 0) -> str:
    return totp.totp(SECRET, AT + dt.timedelta(seconds=offset * totp.PERIOD))


def state(user: User) -> tuple[bool, str, int | None]:
    user.refresh_from_db()
    return user.totp_enabled, user.totp_secret, user.totp_last_step


@pytest.fixture
def enabled(officer: User) -> User:
    services.user_totp_enable(user=officer, secret=SECRET, code=code(), at=AT)
    return officer


def test_enable(officer: User) -> None:
    history_before = officer.history.count()
    AuthToken.objects.create(user=officer)

    codes = services.user_totp_enable(user=officer, secret=SECRET, code=code(1), at=AT)

    assert state(officer) == (True, SECRET, STEP + 1)
    assert len(codes) == services.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    assert RecoveryCode.objects.filter(user=officer, used_at=None).count() == 10
    # Tokens issued on the password alone stop working.
    assert AuthToken.objects.filter(user=officer).count() == 0
    assert officer.history.count() == history_before + 1
    record = officer.history.latest()
    assert record.history_change_reason == "second factor turned on"
    assert record.totp_enabled is True
    assert not hasattr(record, "totp_secret")


@pytest.mark.parametrize("typed", [code(-2), code(2), "12345", "abcdef"])
def test_enable_with_wrong_code_changes_nothing(officer: User, typed: str) -> None:
    history_before = officer.history.count()

    with pytest.raises(ValidationError) as raised:
        services.user_totp_enable(user=officer, secret=SECRET, code=typed, at=AT)

    assert raised.value.message_dict == {
        "code": ["This code is not valid. Enter the current code from your authenticator app."]
    }
    assert state(officer) == (False, "", None)
    assert officer.history.count() == history_before


def test_enable_twice_is_refused(enabled: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_totp_enable(user=enabled, secret=totp.new_secret(), code=code(), at=AT)

    assert raised.value.messages == ["The second factor is already on."]
    assert state(enabled) == (True, SECRET, STEP)


def test_enable_needs_a_staff_role(orgs: StandardOrganisations) -> None:
    citizen = UserFactory.create(role="", organisation=None)

    with pytest.raises(PermissionDenied):
        services.user_totp_enable(user=citizen, secret=SECRET, code=code(), at=AT)

    assert state(citizen) == (False, "", None)


@pytest.mark.parametrize("role", [role for role in Role if role != Role.CITIZEN])
def test_every_staff_role_may_enable(orgs: StandardOrganisations, role: Role) -> None:
    user = UserFactory.create(role=role, organisation=orgs.semarang)

    services.user_totp_enable(user=user, secret=SECRET, code=code(), at=AT)

    assert state(user) == (True, SECRET, STEP)


def test_citizen_may_not_enable(orgs: StandardOrganisations) -> None:
    # Citizens sign in by an e-mail code only; a second factor would lock them out.
    user = UserFactory.create(role=Role.CITIZEN, organisation=None)

    with pytest.raises(PermissionDenied):
        services.user_totp_enable(user=user, secret=SECRET, code=code(), at=AT)

    assert state(user) == (False, "", None)


def test_consume_once(enabled: User) -> None:
    later = AT + dt.timedelta(seconds=totp.PERIOD)
    fresh = totp.totp(SECRET, later)

    assert services.user_totp_consume(user=enabled, code=fresh, at=later) is True
    assert state(enabled) == (True, SECRET, STEP + 1)
    assert services.user_totp_consume(user=enabled, code=fresh, at=later) is False
    assert state(enabled) == (True, SECRET, STEP + 1)


def test_consume_refuses_the_code_that_turned_the_factor_on(enabled: User) -> None:
    assert services.user_totp_consume(user=enabled, code=code(), at=AT) is False
    assert state(enabled) == (True, SECRET, STEP)


def test_consume_writes_no_history(enabled: User) -> None:
    history_before = enabled.history.count()

    services.user_totp_consume(user=enabled, code=code(1), at=AT)

    assert enabled.history.count() == history_before


def test_consume_when_off(officer: User) -> None:
    assert services.user_totp_consume(user=officer, code=code(), at=AT) is False
    assert state(officer) == (False, "", None)


def test_disable(enabled: User) -> None:
    result = services.user_totp_disable(user=enabled, password=PASSWORD, code=code(1), at=AT)

    assert result is enabled
    assert state(enabled) == (False, "", None)
    assert enabled.history.latest().history_change_reason == "second factor turned off"


@pytest.mark.parametrize(
    ("password", "typed", "errors"),
    [
        ("wrong-password", code(1), {"password": ["The password is not correct."]}),
        (
            PASSWORD,
            code(),  # the step already used to turn it on
            {
                "code": [
                    "This code is not valid. Enter the current code from your authenticator app."
                ]
            },
        ),
        (
            "wrong-password",
            "000000",
            {
                "password": ["The password is not correct."],
                "code": [
                    "This code is not valid. Enter the current code from your authenticator app."
                ],
            },
        ),
    ],
)
def test_disable_needs_both_factors(
    enabled: User, password: str, typed: str, errors: dict[str, list[str]]
) -> None:
    history_before = enabled.history.count()

    with pytest.raises(ValidationError) as raised:
        services.user_totp_disable(user=enabled, password=password, code=typed, at=AT)

    assert raised.value.message_dict == errors
    assert state(enabled) == (True, SECRET, STEP)
    assert enabled.history.count() == history_before


def test_disable_when_off(officer: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_totp_disable(user=officer, password=PASSWORD, code=code(), at=AT)

    assert raised.value.messages == ["The second factor is already off."]


def test_token_issue_stores_a_digest_that_expires(officer: User) -> None:
    stored, token = services.user_token_issue(user=officer)

    assert len(token) == 64
    assert len(stored.digest) == 128
    assert token not in stored.digest
    assert stored.expiry is not None
    assert dt.timedelta(hours=9, minutes=59) < stored.expiry - stored.created
    assert stored.expiry - stored.created <= dt.timedelta(hours=10)


def test_tokens_revoke_one_or_all(officer: User, orgs: StandardOrganisations) -> None:
    other = UserFactory.create(username="dewi", organisation=orgs.semarang)
    kept, _ = AuthToken.objects.create(user=other)
    first, _ = AuthToken.objects.create(user=officer)
    AuthToken.objects.create(user=officer)
    AuthToken.objects.create(user=officer)

    assert services.user_tokens_revoke(user=officer, token=first) == 1
    assert services.user_tokens_revoke(user=officer, token=kept) == 0
    assert AuthToken.objects.filter(user=officer).count() == 2
    assert services.user_tokens_revoke(user=officer) == 2
    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["dewi"]
