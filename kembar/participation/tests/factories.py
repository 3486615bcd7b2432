from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kembar.participation.models import Opportunity
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
