"""The partnership services refuse invisible characters in texts, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from kembar.partnerships.lifecycle import TransitionRefused, partnership_transition
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import cooperation_plan_save, partnership_update
from kembar.partnerships.tests.test_api_write import world

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def refused(field: str, code: str, position: int) -> str:
    return (
        f"{field} contains an invisible character that is not allowed (U+{code}) at position "
        f"{position}; delete it or type the text again."
    )


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def test_a_partnership_edit_with_a_control_character_is_refused(world: dict[str, Any]) -> None:
    partnership = world["active"]

    with pytest.raises(ValidationError) as caught:
        partnership_update(
            partnership=partnership,
            actor=world["officer"],
            expected_version=partnership.version,
            data={"partner_region_name": "Queens\x00land"},
        )

    assert caught.value.message_dict == {
        "partner_region_name": [refused("Partner's region", "0000", 7)]
    }
    partnership.refresh_from_db()
    assert (partnership.partner_region_name, partnership.version) == ("", 1)


def test_the_api_answers_a_control_character_with_a_400(world: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["officer"])

    response = client.patch(
        "/api/v1/partnerships/smg-brisbane/",
        {"version": 1, "partner_name": "Bris\u0085bane"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"partner_name": [refused("Partner name", "0085", 5)]}
    assert Partnership.objects.get(slug="smg-brisbane").version == 1


def test_a_transition_reason_with_a_control_character_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as caught:
        partnership_transition(
            partnership=world["active"],
            target="evaluation",
            actor=world["officer"],
            reason="Rapat\x1b[31m",
        )

    assert refused("Reason", "001B", 6) in caught.value.reasons


def test_a_cooperation_plan_with_a_control_character_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        cooperation_plan_save(
            partnership=world["active"],
            actor=world["officer"],
            data={"background": "Latar\x07belakang"},
        )

    assert list(caught.value.message_dict) == ["background"]
