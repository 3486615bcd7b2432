from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kembar.accounts.models import Organisation, User
from kembar.geo.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office() -> Organisation:
    return Organisation.objects.create(
        slug="bagian-kerja-sama-semarang",
        name="Bagian Kerja Sama",
        kind="agency",
        region=RegionFactory.create(kode="33.74"),
    )


def test_creates_a_user_with_role_and_organisation(office: Organisation, monkeypatch: Any) -> None:
    monkeypatch.setenv("KEMBAR_NEW_PASSWORD", "kerja-sama-kota-kembar-2026")

    call_command(
        "create_user",
        "sari",
        role="cooperation_officer",
        organisation=office.slug,
        name="Sari Wulandari",
        verbosity=0,
    )

    user = User.objects.get(username="sari")
    assert (user.role, user.organisation, user.first_name, user.is_staff) == (
        "cooperation_officer",
        office,
        "Sari",
        False,
    )
    assert user.password.startswith("argon2")
    assert user.check_password("kerja-sama-kota-kembar-2026")


@pytest.mark.parametrize(
    ("password", "options", "message"),
    [
        ("short", {"organisation": "bagian-kerja-sama-semarang"}, "Kata sandi terlalu pendek"),
        ("kerja-sama-kota-kembar-2026", {"organisation": "nowhere"}, "No organisation 'nowhere'"),
        ("kerja-sama-kota-kembar-2026", {}, "Give --organisation"),
    ],
)
def test_refuses_bad_input_and_creates_nothing(
    office: Organisation, monkeypatch: Any, password: str, options: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("KEMBAR_NEW_PASSWORD", password)

    with pytest.raises(CommandError, match=message):
        call_command("create_user", "sari", role="cooperation_officer", verbosity=0, **options)

    assert not User.objects.filter(username="sari").exists()


def test_without_a_terminal_or_password_says_what_to_do(
    office: Organisation, monkeypatch: Any
) -> None:
    import io
    import sys

    monkeypatch.delenv("KEMBAR_NEW_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    with pytest.raises(CommandError) as raised:
        call_command(
            "create_user", "sari", role="cooperation_officer", organisation=office.slug, verbosity=0
        )

    assert str(raised.value) == (
        "No terminal to ask the password on. Run the command in a terminal, or set the "
        "password in the environment variable KEMBAR_NEW_PASSWORD, e.g. "
        "KEMBAR_NEW_PASSWORD='…' manage.py create_user NAME --role ROLE."
    )
    assert not User.objects.filter(username="sari").exists()
