from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.participation.models import Opportunity, Registration
from kembar.participation.registrations import RegistrationData, registration_start
from kembar.programs.tests.factories import ActivityFactory


class OpportunityFactory(factory.django.DjangoModelFactory[Opportunity]):
    class Meta:
        model = Opportunity

    activity = factory.SubFactory(ActivityFactory)
    kind = "training"
    title_id = factory.Sequence(lambda n: f"Pelatihan pemuda {n}")
    title_en = factory.Sequence(lambda n: f"Youth training {n}")
    places = 20
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    allocation = "first_come"


def published_call(activity: object, **values: object) -> Opportunity:
    """A call open for registrations (published, deadline in 30 days), with ``values``."""
    opportunity = OpportunityFactory.create(activity=activity, status="published", **values)
    return opportunity


def kelurahan(kecamatan_code: str, number: int = 1, name: str = "") -> Region:
    """A kelurahan under ``kecamatan_code`` (e.g. "33.74.01") with code …​.100<number>."""
    return RegionFactory.create(
        kode=f"{kecamatan_code}.{1000 + number}",
        name=name or f"Kelurahan {kecamatan_code}/{number}",
    )


def person(
    name: str = "Sari Wulandari",
    *,
    home: Region | None = None,
    group: str = "students_youth",
    gender: str = "female",
    age_band: str = "15-24",
    consents: tuple[str, ...] = ("taking_part", "statistics"),
    answers: dict[str, str] | None = None,
) -> RegistrationData:
    return RegistrationData(
        name=name,
        group=group,
        home_kelurahan=home,
        gender=gender,
        age_band=age_band,
        answers=answers or {},
        consents=set(consents),
    )


def register(
    opportunity: Opportunity, email: str, data: RegistrationData | None = None
) -> Registration:
    """A registration whose contact is already verified (placed at once)."""
    return registration_start(
        opportunity=opportunity, email=email, data=data or person(), verified=True
    )
