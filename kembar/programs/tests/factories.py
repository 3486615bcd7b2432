from __future__ import annotations

import datetime as dt

import factory

from kembar.accounts.models import OrganisationKind
from kembar.accounts.tests.factories import OrganisationFactory
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.programs.models import (
    Activity,
    ActivityKind,
    GovernmentAffair,
    SdgGoal,
    SdgTarget,
    Sector,
    StandardIndicator,
)


class SectorFactory(factory.django.DjangoModelFactory[Sector]):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = 16
    kbli_sections = "P"
    name_id = "Jasa Pendidikan"
    name_en = "Education"


class GovernmentAffairFactory(factory.django.DjangoModelFactory[GovernmentAffair]):
    class Meta:
        model = GovernmentAffair
        django_get_or_create = ("code",)

    code = "1.01"
    group = GovernmentAffair.Group.BASIC_SERVICES
    name_id = "Pendidikan"
    name_en = "Education"


class SdgGoalFactory(factory.django.DjangoModelFactory[SdgGoal]):
    class Meta:
        model = SdgGoal
        django_get_or_create = ("code",)

    code = 4
    name_id = "Pendidikan Berkualitas"
    name_en = "Quality Education"


class SdgTargetFactory(factory.django.DjangoModelFactory[SdgTarget]):
    class Meta:
        model = SdgTarget
        django_get_or_create = ("code",)

    code = "4.7"
    goal = factory.SubFactory(SdgGoalFactory)
    order = 7
    name_id = ""
    name_en = "Education for sustainable development and global citizenship"


class StandardIndicatorFactory(factory.django.DjangoModelFactory[StandardIndicator]):
    class Meta:
        model = StandardIndicator
        django_get_or_create = ("code",)

    code = "students_exchanged"
    level = "output"
    name_id = "Pelajar dan mahasiswa yang dipertukarkan"
    name_en = "Students exchanged"
    unit_id = "orang"
    unit_en = "people"
    higher_is_better = True


def semarang_kecamatan(kode: str = "33.74.01", name: str = "Semarang Tengah") -> object:
    """A kecamatan of Kota Semarang (its parents made as needed)."""
    return RegionFactory.create(kode=kode, name=name)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    reference = factory.Sequence(lambda n: f"SMG-ACT-{n:04d}")
    partnership = factory.SubFactory(PartnershipFactory)
    kind = ActivityKind.TRAINING
    title_id = factory.Sequence(lambda n: f"Pelatihan guru {n}")
    title_en = factory.Sequence(lambda n: f"Teacher training {n}")
    agency = factory.LazyFunction(
        lambda: OrganisationFactory.create(
            slug="disdik-semarang",
            name="Dinas Pendidikan",
            kind=OrganisationKind.AGENCY,
            parent=OrganisationFactory.create(
                slug="pemkot-semarang",
                name="Pemerintah Kota Semarang",
                kind=OrganisationKind.LOCAL_GOVERNMENT,
                region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
            ),
        )
    )
    start_date = dt.date(2024, 3, 4)
    end_date = dt.date(2024, 3, 8)
    status = "completed"
    sector = factory.SubFactory(SectorFactory)
    government_affair = factory.SubFactory(GovernmentAffairFactory)
