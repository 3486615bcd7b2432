"""Recovery codes, the administrator's reset, and the second-factor secret at rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from knox.models import AuthToken

from kembar.accounts import crypto, services, totp
from kembar.accounts.models import RecoveryCode, Role, User
from kembar.accounts.tests.factories import StandardOrganisations, UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def code(offset: int = 0) -> str:
    return totp.totp(SECRET, AT + dt.timedelta(seconds=offset * totp.PERIOD))


@pytest.fixture
def codes(officer: User) -> list[str]:
    return services.user_totp_enable(user=officer, secret=SECRET, code=code(), at=AT)


@pytest.fixture
def administrator(orgs: StandardOrganisations) -> User:
    return UserFactory.create(username="admin", role=Role.ADMINISTRATOR, organisation=None)


# --- Recovery codes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_recovery_code_works_once(officer: User, codes: list[str]) -> None:
    assert services.user_second_factor_consume(user=officer, code=codes[3], at=AT) is True
    assert services.user_second_factor_consume(user=officer, code=codes[3], at=AT) is False
    used = RecoveryCode.objects.get(user=officer, used_at__isnull=False)
    assert used.used_at == AT
    assert RecoveryCode.objects.filter(user=officer, used_at=None).count() == 9


@pytest.mark.django_db
@pytest.mark.parametrize("typing", [str.upper, lambda c: c.replace("-", ""), lambda c: f" {c} "])
def test_recovery_code_typed_loosely(officer: User, codes: list[str], typing: Any) -> None:
    assert services.user_second_factor_consume(user=officer, code=typing(codes[0]), at=AT)


@pytest.mark.django_db
def test_recovery_codes_are_stored_as_keyed_digests(officer: User, codes: list[str]) -> None:
    digests = set(RecoveryCode.objects.filter(user=officer).values_list("digest", flat=True))

    assert len(digests) == 10
    for typed in codes:
        plain = typed.replace("-", "")
        assert plain not in "".join(digests)
        assert crypto.keyed_digests(plain)[0] in digests


@pytest.mark.django_db
def test_recovery_code_of_another_user_is_refused(
    officer: User, codes: list[str], orgs: StandardOrganisations
) -> None:
    other = UserFactory.create(username="dewi", organisation=orgs.semarang)
    services.user_totp_enable(user=other, secret=SECRET, code=code(), at=AT)

    assert services.user_second_factor_consume(user=other, code=codes[0], at=AT) is False


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old(officer: User, codes: list[str]) -> None:
    history_before = officer.history.count()

    fresh = services.user_recovery_codes_issue(user=officer)

    assert set(fresh).isdisjoint(codes)
    assert services.user_second_factor_consume(user=officer, code=codes[0], at=AT) is False
    assert services.user_second_factor_consume(user=officer, code=fresh[0], at=AT) is True
    assert officer.history.count() == history_before + 1
    assert officer.history.latest().history_change_reason == "recovery codes replaced"


@pytest.mark.django_db
def test_recovery_codes_need_the_factor_on(officer: User) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_recovery_codes_issue(user=officer)

    assert raised.value.messages == ["Turn the second factor on first."]
    assert RecoveryCode.objects.count() == 0


@pytest.mark.django_db
def test_turning_off_deletes_recovery_codes_and_tokens(officer: User, codes: list[str]) -> None:
    from kembar.accounts.tests.factories import PASSWORD

    AuthToken.objects.create(user=officer)

    services.user_totp_disable(user=officer, password=PASSWORD, code=code(1), at=AT)

    assert RecoveryCode.objects.filter(user=officer).count() == 0
    assert AuthToken.objects.filter(user=officer).count() == 0
    assert services.user_second_factor_consume(user=officer, code=codes[1], at=AT) is False


# --- Administrator's reset ------------------------------------------------------------------


@pytest.mark.django_db
def test_administrator_resets_the_second_factor(
    officer: User, codes: list[str], administrator: User
) -> None:
    AuthToken.objects.create(user=officer)

    services.user_second_factor_reset(user=officer, by=administrator, reason="phone lost")

    officer.refresh_from_db()
    assert (officer.totp_enabled, officer.totp_secret, officer.totp_last_step) == (False, "", None)
    assert RecoveryCode.objects.filter(user=officer).count() == 0
    assert AuthToken.objects.filter(user=officer).count() == 0
    record = officer.history.latest()
    assert record.history_change_reason == "second factor reset by admin: phone lost"
    assert record.totp_enabled is False


@pytest.mark.django_db
def test_only_an_administrator_may_reset(
    officer: User, codes: list[str], orgs: StandardOrganisations
) -> None:
    colleague = UserFactory.create(username="dewi", organisation=orgs.semarang)

    with pytest.raises(PermissionDenied):
        services.user_second_factor_reset(user=officer, by=colleague, reason="phone lost")

    officer.refresh_from_db()
    assert (officer.totp_enabled, officer.totp_secret) == (True, SECRET)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", {"reason": ["Say why the second factor is reset."]})],
)
def test_reset_needs_a_reason(
    officer: User, codes: list[str], administrator: User, reason: str, message: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_second_factor_reset(user=officer, by=administrator, reason=reason)

    assert raised.value.message_dict == message
    officer.refresh_from_db()
    assert officer.totp_enabled is True


# --- The secret at rest -----------------------------------------------------------------------


@pytest.mark.django_db
def test_secret_is_encrypted_in_the_database(officer: User, codes: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [officer.pk])
        row = cursor.fetchone()

    assert row is not None
    assert not any(SECRET in str(value) for value in row)
    assert SECRET not in User.objects.get(pk=officer.pk).totp_key
    assert User.objects.get(pk=officer.pk).totp_secret == SECRET


def test_a_new_field_key_still_reads_secrets_made_with_the_old(settings: Any) -> None:
    settings.KEMBAR_FIELD_KEY = ""
    stored = crypto.encrypt(SECRET)

    settings.KEMBAR_FIELD_KEY = "a-new-dedicated-field-key-for-kembar"
    assert crypto.decrypt(stored) == SECRET
    assert crypto.decrypt(crypto.encrypt(SECRET)) == SECRET

    settings.SECRET_KEY = "another-secret-key-entirely-0123456789"
    settings.KEMBAR_FIELD_KEY = ""
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(stored)


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_the_secrets_already_enrolled() -> None:
    before = [("accounts", "0001_initial")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old_user = executor.loader.project_state(before).apps.get_model("accounts", "User")
    old_user.objects.create(username="budi", password="!", totp_secret=SECRET, totp_enabled=True)
    old_user.objects.create(username="siti", password="!")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(leaves)

    budi = User.objects.get(username="budi")
    assert (budi.totp_enabled, budi.totp_secret) == (True, SECRET)
    assert budi.totp_key != "" and SECRET not in budi.totp_key
    assert User.objects.get(username="siti").totp_key == ""


@pytest.mark.django_db
def test_unreadable_secret_refuses_the_code_instead_of_failing(
    officer: User, codes: list[str], settings: Any
) -> None:
    settings.SECRET_KEY = "a-rotated-secret-key-without-the-old-one-kept"

    assert services.user_totp_consume(user=officer, code=code(1), at=AT) is False
