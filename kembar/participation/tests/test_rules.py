"""Who may see and manage a call: the activity's agency and the region's cooperation office."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kembar.participation.models import Opportunity
from kembar.participation.selectors import public_opportunities, staff_opportunities
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

CASES = [
    # who, sees a draft, manages, sees a published one
    ("officer", True, True, True),
    ("agency_officer", True, True, True),
    ("other_agency_officer", False, False, True),
    ("magelang_officer", False, False, True),
    ("council", False, False, True),
    ("anonymous", False, False, True),
]


def _user(people: People, who: str) -> object:
    return AnonymousUser() if who == "anonymous" else getattr(people, who)


@pytest.mark.parametrize(("who", "sees_draft", "manages", "sees_published"), CASES)
def test_permissions(
    people: People, who: str, sees_draft: bool, manages: bool, sees_published: bool
) -> None:
    user = _user(people, who)
    draft = OpportunityFactory.create(activity=people.activity)
    published = OpportunityFactory.create(activity=people.activity, status="published")
    assert user.has_perm("participation.view_opportunity", draft) is sees_draft  # type: ignore[attr-defined]
    assert user.has_perm("participation.change_opportunity", draft) is manages  # type: ignore[attr-defined]
    assert user.has_perm("participation.add_opportunity", people.activity) is manages  # type: ignore[attr-defined]
    assert user.has_perm("participation.view_opportunity", published) is sees_published  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("officer", ["draft", "published"]),
        ("agency_officer", ["draft", "published"]),
        ("other_agency_officer", ["published"]),
        ("council", ["published"]),
        ("magelang_officer", []),
    ],
)
def test_staff_list_shows_drafts_only_to_who_manages(
    people: People, who: str, listed: list[str]
) -> None:
    OpportunityFactory.create(activity=people.activity, title_id="draft")
    OpportunityFactory.create(activity=people.activity, title_id="published", status="published")
    shown = staff_opportunities(user=getattr(people, who)).order_by("title_id")
    assert [item.title_id for item in shown] == listed


def test_the_public_never_sees_a_draft_or_an_internal_partnership(people: People) -> None:
    for status in ("draft", "published", "closed", "results_published"):
        OpportunityFactory.create(activity=people.activity, status=status, title_id=status)
    people.partnership.is_public = False
    internal = OpportunityFactory.create(status="published", title_id="internal")
    internal.activity.partnership.is_public = False
    internal.activity.partnership.save()
    shown = public_opportunities(user=AnonymousUser()).order_by("title_id")
    assert [item.title_id for item in shown] == ["closed", "published", "results_published"]
    assert Opportunity.objects.count() == 5
