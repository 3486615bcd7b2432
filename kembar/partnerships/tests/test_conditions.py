"""The Pasal 27 checklist reads the same list of diplomatic relations as the recommender."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from kembar.accounts.models import Organisation, Role, User
from kembar.geo.models import DiplomaticRelation
from kembar.geo.tests.factories import CityFactory, CountryFactory, RegionFactory
from kembar.partnerships.lifecycle import TransitionRefused, partnership_transition
from kembar.partnerships.models import (
    Condition,
    ConditionCheck,
    LifecycleState,
    LifecycleTransition,
    Partnership,
)
from kembar.partnerships.services import lifecycle_seed_apply, partnership_conditions_record
from kembar.partnerships.tests.factories import PartnershipFactory
from kembar.partnerships.tests.test_lifecycle import DEFINITION, person, satisfy

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, User]:
    lifecycle_seed_apply(DEFINITION)
    semarang = Organisation.objects.create(
        slug="pemkot-semarang",
        name="Pemerintah Kota Semarang",
        kind="local_government",
        region=RegionFactory.create(kode="33.74", name="Kota Semarang"),
    )
    return {"officer": person("officer", Role.COOPERATION_OFFICER, semarang)}


NO_RELATIONS = (
    "Indonesia has no diplomatic relations with Taiwan, so PP 28/2018 Pasal 27 does not allow "
    "this cooperation. If the list of diplomatic relations is out of date, an administrator "
    "corrects it first."
)


def _relation(iso2: str, *, has_relations: bool, note: str = "") -> None:
    DiplomaticRelation.objects.create(
        country_id=iso2,
        has_relations=has_relations,
        note=note,
        source="Kemlu",
        checked_on=dt.date(2026, 12, 5),
    )


def _kaohsiung() -> Partnership:
    taiwan = CountryFactory.create(iso2="TW", iso3="TWN", name_en="Taiwan", name_id="Taiwan")
    _relation("TW", has_relations=False, note="one-China policy")
    return PartnershipFactory.create(
        slug="smg-kaohsiung",
        partner_country=taiwan,
        partner_city=CityFactory.create(id=1673820, name="Kaohsiung", country=taiwan),
        state=LifecycleState.objects.get(code="exploration"),
    )


def test_the_checklist_cannot_say_relations_exist_when_the_list_says_none(
    people: dict[str, User],
) -> None:
    partnership = _kaohsiung()
    results = dict.fromkeys(Condition.values, (True, ""))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        partnership_conditions_record(
            partnership=partnership, actor=people["officer"], results=results
        )
    assert refused.value.messages == [NO_RELATIONS]
    assert ConditionCheck.objects.count() == 0


def test_a_move_is_refused_when_the_list_changed_after_the_checklist(
    people: dict[str, User],
) -> None:
    partnership = _kaohsiung()
    transition = LifecycleTransition.objects.get(
        source__code="exploration", target__code="letter_of_intent"
    )
    satisfy(partnership, transition, people["officer"])  # recorded as met before the list said no
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        partnership_transition(
            partnership=partnership, target="letter_of_intent", actor=people["officer"]
        )
    assert refused.value.reasons == [NO_RELATIONS]


@pytest.mark.parametrize(
    ("has_relations", "checked", "note"),
    [
        (True, True, "Per the list of diplomatic relations (checked 5 December 2026)."),
        (False, False, "No diplomatic relations per the list (checked 5 December 2026): no"),
    ],
)
def test_the_checklist_starts_from_the_list(
    client: Client, people: dict[str, User], has_relations: bool, checked: bool, note: str
) -> None:
    partnership = PartnershipFactory.create(
        slug="smg-brisbane", state=LifecycleState.objects.get(code="exploration")
    )
    _relation("AU", has_relations=has_relations, note="no")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(people["officer"])
    form = client.get(f"/staff/partnerships/{partnership.slug}/").context["conditions_form"]
    assert form["met_diplomatic_relations"].initial is checked
    assert form["note_diplomatic_relations"].initial == note
    # What someone recorded wins over the list.
    ConditionCheck.objects.create(
        partnership=partnership,
        condition=Condition.DIPLOMATIC_RELATIONS,
        met=False,
        note="Checked with Kemlu",
        checked_by=people["officer"],
        checked_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    form = client.get(f"/staff/partnerships/{partnership.slug}/").context["conditions_form"]
    assert form["note_diplomatic_relations"].initial == "Checked with Kemlu"
