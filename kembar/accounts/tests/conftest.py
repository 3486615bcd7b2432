from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from kembar.accounts import totp
from kembar.accounts.models import Role, User
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Put back the language a request activated, so that later tests do not inherit it."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def orgs(db: None) -> StandardOrganisations:
    return standard_organisations()


@pytest.fixture
def officer(orgs: StandardOrganisations) -> User:
    """A cooperation officer of Kota Semarang, second factor off."""
    return UserFactory.create(
        username="siti", role=Role.COOPERATION_OFFICER, organisation=orgs.semarang
    )


@pytest.fixture
def totp_officer(orgs: StandardOrganisations) -> User:
    """A cooperation officer of Kota Semarang with the second factor on."""
    return UserFactory.create(
        username="budi",
        role=Role.COOPERATION_OFFICER,
        organisation=orgs.semarang,
        totp_secret=totp.new_secret(),
        totp_enabled=True,
    )


@pytest.fixture
def english(client: Client) -> Client:
    """The test client after the person chose English."""
    client.cookies["kembar_language"] = "en"
    return client
