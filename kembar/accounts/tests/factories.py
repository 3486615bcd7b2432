from __future__ import annotations

import functools
from dataclasses import dataclass

import factory
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from kembar.accounts import totp
from kembar.accounts.middleware import SECOND_FACTOR
from kembar.accounts.models import Organisation, OrganisationKind, Role, User
from kembar.geo.models import City
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory

#: The password every factory-made user has (long enough for the validators).
PASSWORD = "kembar-test-password-2025"


@functools.cache
def password_hash() -> str:
    """``PASSWORD`` hashed once with the configured (Argon2) hasher, shared by every user.

    Hashing takes about a quarter of a second by design; doing it once keeps
    the suite fast while sign-ins still check a real Argon2 hash.
    """
    return make_password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.OTHER


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Siti"
    last_name = factory.Sequence(lambda n: f"Rahma {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.LazyFunction(password_hash)
    role = Role.COOPERATION_OFFICER
    organisation = factory.SubFactory(OrganisationFactory)


@dataclass(frozen=True, slots=True)
class StandardOrganisations:
    """The organisations most tests need, around Kota Semarang (33.74)."""

    semarang: Organisation
    dinas_pendidikan: Organisation
    dprd_semarang: Organisation
    partner_government: Organisation
    partner_city: City
    magelang: Organisation


def standard_organisations() -> StandardOrganisations:
    """Build Semarang's government, an agency and council, a partner and a second region.

    - ``semarang``: Pemerintah Kota Semarang, the local government of 33.74;
    - ``dinas_pendidikan``: its education agency;
    - ``dprd_semarang``: its regional council, DPRD Kota Semarang;
    - ``partner_government``: the government of a partner city in Australia;
    - ``magelang``: Pemerintah Kota Magelang, the local government of 33.71.
    """
    semarang = OrganisationFactory.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    partner_city = CityFactory.create(
        id=2174003, name="Brisbane", country=CountryFactory.create(iso2="AU")
    )
    return StandardOrganisations(
        semarang=semarang,
        dinas_pendidikan=OrganisationFactory.create(
            slug="disdik-semarang",
            name="Dinas Pendidikan",
            kind=OrganisationKind.AGENCY,
            parent=semarang,
        ),
        dprd_semarang=OrganisationFactory.create(
            slug="dprd-semarang",
            name="DPRD Kota Semarang",
            kind=OrganisationKind.COUNCIL,
            parent=semarang,
        ),
        partner_government=OrganisationFactory.create(
            slug="brisbane-city-council",
            name="Brisbane City Council",
            kind=OrganisationKind.PARTNER_GOVERNMENT,
            city=partner_city,
        ),
        partner_city=partner_city,
        magelang=OrganisationFactory.create(
            slug="pemkot-magelang",
            name="Pemerintah Kota Magelang",
            kind=OrganisationKind.LOCAL_GOVERNMENT,
            region=RegionFactory.create(kode="33.71", name="Kota Magelang"),
        ),
    )


def current_code(secret: str) -> str:
    return totp.totp(secret, timezone.now())


def wrong_code(secret: str) -> str:
    """A well-formed code that no step in the accepted window produces."""
    now = timezone.now()
    valid = {totp.totp(secret, now.timestamp() + offset * totp.PERIOD) for offset in (-1, 0, 1)}
    candidate = 0
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def force_login_with_second_factor(client: Client, user: User) -> None:
    """Sign ``user`` in as the sign-in page does after a correct second factor."""
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR] = True
    session.save()
