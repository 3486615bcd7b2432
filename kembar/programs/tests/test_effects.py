"""Economic effects of activities: the services, their messages and permissions, the staff form."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from kembar.accounts.models import Role
from kembar.accounts.tests.factories import (
    StandardOrganisations,
    UserFactory,
    standard_organisations,
)
from kembar.programs.effects import (
    EffectData,
    activity_effect_delete,
    activity_effect_save,
    effect_problems,
)
from kembar.programs.models import Activity, EconomicEffect, Sector
from kembar.programs.tests.factories import ActivityFactory, SectorFactory

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class World:
    orgs: StandardOrganisations
    officer: Any
    activity: Activity
    accommodation: Sector
    trade: Sector


@pytest.fixture
def world() -> World:
    orgs = standard_organisations()
    officer = UserFactory.create(role=Role.COOPERATION_OFFICER, organisation=orgs.semarang)
    return World(
        orgs=orgs,
        officer=officer,
        activity=ActivityFactory.create(reference="SMG-BNE-2024-01", agency=orgs.dinas_pendidikan),
        accommodation=SectorFactory.create(
            code=9, kbli_sections="I", name_id="Penyediaan Akomodasi", name_en="Accommodation"
        ),
        trade=SectorFactory.create(
            code=7, kbli_sections="G", name_id="Perdagangan", name_en="Trade"
        ),
    )


def visitors(world: World, **changes: Any) -> EffectData:
    data = EffectData(
        kind="visitor_spending",
        sector=world.accommodation,
        year=2024,
        source="Hotel survey by Dinas Pariwisata",
        visitors=40,
        days=3,
        spending_per_day_idr=Decimal("1250000"),
    )
    return dataclasses.replace(data, **changes)


def export(world: World, **changes: Any) -> EffectData:
    data = EffectData(
        kind="export_contract",
        sector=world.trade,
        year=2025,
        source="Contract PT Batik Semarang – Brisbane retailer",
        amount=Decimal("125000.00"),
        currency="USD",
        rate_to_idr=Decimal("16000"),
        confidence="documented",
    )
    return dataclasses.replace(data, **changes)


def test_visitor_spending_is_visitors_times_days_times_spending(world: World) -> None:
    effect, changed = activity_effect_save(
        actor=world.officer, activity=world.activity, data=visitors(world)
    )
    assert changed
    effect.refresh_from_db()
    assert effect.amount_idr == Decimal("150000000.00")  # 40 × 3 × 1,250,000
    assert (effect.amount, effect.currency, effect.rate_to_idr) == (None, "IDR", Decimal(1))
    assert effect.is_demo is False
    assert effect.created_by == world.officer
    record = effect.history.get()
    assert (record.history_user, record.history_change_reason) == (world.officer, "recorded")


def test_export_in_dollars_is_converted_and_a_repeat_changes_nothing(world: World) -> None:
    effect, _ = activity_effect_save(
        actor=world.officer, activity=world.activity, data=export(world)
    )
    assert effect.amount_idr == Decimal("2000000000.00")
    again, changed = activity_effect_save(
        actor=world.officer, activity=world.activity, data=export(world), effect=effect
    )
    assert (again.pk, changed) == (effect.pk, False)
    assert effect.history.count() == 1
    corrected, changed = activity_effect_save(
        actor=world.officer,
        activity=world.activity,
        data=export(world, rate_to_idr=Decimal("15500")),
        effect=effect,
    )
    assert changed
    assert corrected.amount_idr == Decimal("1937500000.00")
    assert effect.history.first().history_change_reason == "corrected"


def test_is_demo_follows_the_activity(world: World) -> None:
    Activity.objects.filter(pk=world.activity.pk).update(is_demo=True)
    world.activity.refresh_from_db()
    effect, _ = activity_effect_save(
        actor=world.officer, activity=world.activity, data=visitors(world)
    )
    assert effect.is_demo is True


@pytest.mark.parametrize(
    ("make", "changes", "expected"),
    [
        (
            visitors,
            {"visitors": 0, "days": None},
            {
                "visitors": ["Give a whole number, 1 or more."],
                "days": ["Give a whole number, 1 or more."],
            },
        ),
        (
            visitors,
            {"amount": Decimal(5)},
            {
                "amount": [
                    "Visitor spending is counted as visitors × days × spending per day: "
                    "leave the amount empty."
                ]
            },
        ),
        (visitors, {"spending_per_day_idr": None}, {"spending_per_day_idr": ["Give the amount."]}),
        (export, {"amount": Decimal(0)}, {"amount": ["Give an amount greater than 0."]}),
        (
            export,
            {"amount": Decimal("1.234")},
            {"amount": ["Give an amount below 10^17 with at most two decimals."]},
        ),
        (
            export,
            {"visitors": 3},
            {
                "visitors": [
                    "Only visitor spending is counted in visitors and days: leave it empty."
                ]
            },
        ),
        (
            export,
            {"currency": "XYZ"},
            {"currency": ["“XYZ” is not an ISO 4217 currency code (IDR, USD, AUD …)."]},
        ),
        (
            export,
            {"currency": "IDR"},
            {"rate_to_idr": ["An amount in IDR has the rate 1."]},
        ),
        (
            export,
            {"year": 2023},
            {"year": ["Give a year from the activity's start (2024) to 2034."]},
        ),
        (export, {"source": "  "}, {"source": ["Say where the figure comes from."]}),
        (
            export,
            {"kind": "lottery", "amount": None},
            {
                "kind": [
                    "“lottery” is not one of: export_contract, investment_realised, "
                    "visitor_spending, other."
                ]
            },
        ),
        (
            export,
            {"confidence": "certain"},
            {"confidence": ["“certain” is not one of: documented, reported, estimated."]},
        ),
    ],
)
def test_problems_are_named_by_field_in_english(
    world: World, make: Any, changes: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    with translation.override("en"):
        assert effect_problems(make(world, **changes), activity=world.activity) == expected
        with pytest.raises(ValidationError) as caught:
            activity_effect_save(
                actor=world.officer, activity=world.activity, data=make(world, **changes)
            )
    assert caught.value.message_dict == expected
    assert not EconomicEffect.objects.exists()


def test_only_those_who_may_change_the_activity_record_or_delete(world: World) -> None:
    effect, _ = activity_effect_save(
        actor=world.officer, activity=world.activity, data=export(world)
    )
    magelang_officer = UserFactory.create(
        role=Role.COOPERATION_OFFICER, organisation=world.orgs.magelang
    )
    council = UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=world.orgs.dprd_semarang)
    for outsider in (magelang_officer, council):
        with pytest.raises(PermissionDenied):
            activity_effect_save(actor=outsider, activity=world.activity, data=visitors(world))
        with pytest.raises(PermissionDenied):
            activity_effect_delete(actor=outsider, effect=effect)
    assert list(EconomicEffect.objects.values_list("pk", flat=True)) == [effect.pk]
    assert effect.history.count() == 1

    pk = effect.pk
    activity_effect_delete(actor=world.officer, effect=effect)
    assert not EconomicEffect.objects.exists()
    deleted = EconomicEffect.history.filter(id=pk).first()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "deleted")


def test_the_activity_page_records_and_deletes_effects(client: Client, world: World) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.officer)
    url = f"/staff/activities/{world.activity.reference}/effects/"
    page = client.get(f"/staff/activities/{world.activity.reference}/")
    assert page.status_code == 200
    assert 'id="effect-form"' in page.content.decode()

    response = client.post(
        url,
        {
            "kind": "visitor_spending",
            "sector": "9",
            "year": "2024",
            "visitors": "40",
            "days": "3",
            "spending_per_day_idr": "1250000",
            "currency": "IDR",
            "rate_to_idr": "1",
            "confidence": "reported",
            "source": "Hotel survey",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{world.activity.reference}/#economic-effects")
    effect = EconomicEffect.objects.get()
    assert effect.amount_idr == Decimal("150000000.00")

    refused = client.post(
        url,
        {
            "kind": "export_contract",
            "sector": "7",
            "year": "2024",
            "confidence": "reported",
            "source": "Contract",
            "currency": "IDR",
            "rate_to_idr": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert refused.context["effect_form"].errors["amount"] == ["Give the amount."]
    assert EconomicEffect.objects.count() == 1

    deleted = client.post(url, {"delete": str(effect.pk)})
    assert deleted.status_code == 302
    assert not EconomicEffect.objects.exists()


def test_the_form_is_refused_to_those_who_may_not_change(client: Client, world: World) -> None:
    council = UserFactory.create(role=Role.COUNCIL_MEMBER, organisation=world.orgs.dprd_semarang)
    effect, _ = activity_effect_save(
        actor=world.officer, activity=world.activity, data=export(world)
    )
    client.force_login(council)
    url = f"/staff/activities/{world.activity.reference}/effects/"
    assert client.post(url, {"delete": str(effect.pk)}).status_code == 403
    assert EconomicEffect.objects.filter(pk=effect.pk).exists()
    page = client.get(f"/staff/activities/{world.activity.reference}/")
    assert 'id="effect-form"' not in page.content.decode()
    assert "Contract PT Batik Semarang" in page.content.decode()
