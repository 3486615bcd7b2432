"""No lost updates in the partnership pages: the cooperation plan and inbound requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from kembar.geo.models import Country
from kembar.partnerships.models import Condition, ConditionCheck, CooperationPlan, InboundRequest
from kembar.partnerships.services import inbound_request_accept, inbound_request_review
from kembar.partnerships.tests.test_api_write import world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

PLAN = "/staff/partnerships/smg-brisbane/plan/"


def signed_in(user: Any) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def plan_form(version: str, **changes: str) -> dict[str, str]:
    form = {
        "version": version,
        "subject": "Education",
        "background": "",
        "aims_and_targets": "",
        "object": "",
        "scope": "",
        "funding_source": "",
        "period_start": "",
        "period_end": "",
    }
    return {**form, **changes}


def test_a_stale_cooperation_plan_is_refused_and_keeps_what_was_typed(
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    first, second = signed_in(world["officer"]), signed_in(world["second"])
    page = second.get("/staff/partnerships/smg-brisbane/")
    assert b'name="version" value="0"' in page.content
    assert first.post(PLAN, plan_form("0", scope="Schools")).status_code == 302
    assert first.post(PLAN, plan_form("1", scope="Schools and universities")).status_code == 302

    stale = second.post(PLAN, plan_form("0", scope="Vocational schools"))

    assert stale.status_code == 409
    assert stale.context["plan_conflict"]["rows"] == [
        {
            "label": "scope",
            "base": "—",
            "current": "Schools and universities",
            "yours": "Vocational schools",
        }
    ]
    html = stale.content.decode()
    assert "Someone else saved the cooperation plan while you were editing" in html
    assert "Vocational schools</textarea>" in html
    assert 'name="version" value="2"' in html
    plan = CooperationPlan.objects.get()
    assert (plan.scope, plan.version) == ("Schools and universities", 2)

    again = second.post(PLAN, plan_form("2", scope="Vocational schools"))
    assert again.status_code == 302
    plan.refresh_from_db()
    assert (plan.scope, plan.version) == ("Vocational schools", 3)


def test_a_review_begun_before_a_decision_does_not_undo_it(
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    request = InboundRequest.objects.create(
        local_region_id="33.74",
        partner_city=world["brisbane"],
        partner_name="Gold Coast",
        partner_country=Country.objects.get(iso2="AU"),
        received_on="2026-11-02",
        channel="letter via KJRI",
        subject="Sister city proposal",
    )
    stale = InboundRequest.objects.get(pk=request.pk)
    partnership = inbound_request_accept(request=request, actor=world["officer"])

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        inbound_request_review(request=stale, actor=world["second"])

    assert refused.value.message_dict == {"status": ["This request is already decided."]}
    saved = InboundRequest.objects.get(pk=request.pk)
    assert (saved.status, saved.partnership_id) == ("accepted", partnership.pk)


def checklist(seen: str, **notes: str) -> dict[str, str]:
    form = {"seen": seen}
    for code in Condition.values:
        form[f"note_{code}"] = notes.get(code, "")
    return form


def test_a_stale_conditions_checklist_is_refused_and_keeps_what_was_typed(
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    url = "/staff/partnerships/smg-brisbane/conditions/"
    first, second = signed_in(world["officer"]), signed_in(world["second"])
    page = second.get("/staff/partnerships/smg-brisbane/")
    assert b'name="seen" value="0"' in page.content
    saved = first.post(
        url, {**checklist("0", fits_plans="RPJMD 2021-2026"), "met_fits_plans": "on"}
    )
    assert saved.status_code == 302

    stale = second.post(url, checklist("0", fits_plans="RKPD 2025"))

    assert stale.status_code == 409
    assert stale.context["conditions_conflict"]["rows"] == [
        {
            "label": "fits national and regional development plans",
            "base": "no",
            "current": "yes — RPJMD 2021-2026",
            "yours": "no — RKPD 2025",
        }
    ]
    assert 'value="RKPD 2025"' in stale.content.decode()
    check = ConditionCheck.objects.get(condition="fits_plans")
    assert (check.met, check.note) == (True, "RPJMD 2021-2026")
    assert ConditionCheck.objects.count() == len(Condition.values)

    seen = str(stale.context["conditions_form"]["seen"].value())
    assert second.post(url, checklist(seen, fits_plans="RKPD 2025")).status_code == 302
    check.refresh_from_db()
    assert (check.met, check.note) == (False, "RKPD 2025")
