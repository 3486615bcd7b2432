"""Reads of knowledge records, filtered to what the user may see and joined for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role
from kembar.geo.models import City
from kembar.knowledge.models import Lesson, Policy, Practice, Reflection, ReflectionStatus
from kembar.partnerships.access import staff_partnerships_through
from kembar.programs.models import Activity

__all__ = [
    "LessonFilters",
    "home_region_id",
    "lesson_get",
    "lesson_list",
    "lesson_partner_cities",
    "partnership_policies",
    "policy_get",
    "policy_list",
    "practice_list",
    "public_partnership_policies",
    "reflection_queue",
    "region_q",
]


def home_region_id(user: Any) -> str | None:
    """The region whose records ``user`` writes: their organisation's."""
    organisation = getattr(user, "organisation", None)
    return organisation.home_region_id if organisation is not None else None


def writing_region(user: Any) -> str:
    """The region ``user`` writes new records for; PermissionDenied (403) for users of none."""
    region_id = home_region_id(user)
    if region_id is None:
        raise PermissionDenied
    return region_id


def region_q(user: Any, field: str = "region_id") -> Q:
    """Mirrors ``knowledge.view_record``: administrators all, the region's own staff theirs."""
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    region_id = home_region_id(user)
    if has_role(user, *LOCAL_ROLES) and region_id:
        return Q(**{field: region_id})
    return Q(pk__in=[])


@dataclass(frozen=True, slots=True)
class LessonFilters:
    q: str = ""
    sector: int | None = None
    partner_city: int | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.sector is not None or self.partner_city is not None)


def lesson_list(*, user: Any, filters: LessonFilters | None = None) -> QuerySet[Lesson]:
    """The lessons ``user`` may see; ``q`` looks in the title and texts of both languages."""
    filters = filters or LessonFilters()
    lessons = Lesson.objects.filter(region_q(user)).select_related(
        "agency", "sector", "government_affair", "partner_city"
    )
    if filters.q:
        words = Q()
        for field in ("title", "context", "partner_practice", "what_we_tried", "what_happened"):
            for language in ("id", "en"):
                words |= Q(**{f"{field}_{language}__icontains": filters.q})
        lessons = lessons.filter(words)
    if filters.sector is not None:
        lessons = lessons.filter(sector_id=filters.sector)
    if filters.partner_city is not None:
        lessons = lessons.filter(partner_city_id=filters.partner_city)
    return lessons.order_by("-created_at", "-id")


def lesson_get(*, user: Any, pk: int) -> Lesson | None:
    return (
        Lesson.objects.filter(region_q(user), pk=pk)
        .select_related(
            "agency",
            "sector",
            "government_affair",
            "partner_city",
            "partnership",
            "source_activity",
            "trip_report__activity",
            "reflection",
        )
        .prefetch_related("sdg_targets", "follow_ups__steps", "policies")
        .first()
    )


def lesson_partner_cities(user: Any) -> QuerySet[City]:
    """The partner cities of the lessons ``user`` sees (the list's filter)."""
    cities = Lesson.objects.filter(region_q(user), partner_city__isnull=False)
    return City.objects.filter(pk__in=cities.values("partner_city")).order_by("name")


def practice_list(*, user: Any) -> QuerySet[Practice]:
    return (
        Practice.objects.filter(region_q(user))
        .select_related("partner_city", "sector", "government_affair", "contact_agency")
        .order_by("direction", "title_id", "id")
    )


def policy_list(*, user: Any) -> QuerySet[Policy]:
    return (
        Policy.objects.filter(region_q(user))
        .select_related("agency", "partnership")
        .order_by("-adopted_on", "-id")
    )


def policy_get(*, user: Any, pk: int) -> Policy | None:
    return (
        Policy.objects.filter(region_q(user), pk=pk)
        .select_related("agency", "partnership", "follow_up__lesson")
        .prefetch_related("activities", "lessons")
        .first()
    )


def reflection_get(*, user: Any, pk: int) -> Reflection | None:
    """A reflection on an activity of ``user``'s region (any status), or None."""
    return (
        Reflection.objects.filter(region_q(user, "activity__partnership__local_region_id"), pk=pk)
        .select_related("activity__partnership")
        .first()
    )


def reflection_queue(*, user: Any) -> QuerySet[Reflection]:
    """Submitted reflections waiting for the review of ``user``'s cooperation office."""
    if not has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER):
        return Reflection.objects.none()
    return (
        Reflection.objects.filter(
            region_q(user, "activity__partnership__local_region_id"),
            status=ReflectionStatus.SUBMITTED,
        )
        .select_related("activity__agency", "activity__partnership", "author")
        .order_by("created_at", "id")
    )


def activities_for(user: Any) -> QuerySet[Activity]:
    """The activities a record of ``user`` may name (their region's, through its partnerships)."""
    return Activity.objects.filter(staff_partnerships_through(user)).order_by(
        "-start_date", "reference"
    )


def partnership_policies(*, user: Any, partnership: Any) -> QuerySet[Policy] | None:
    """The policies ``partnership`` led to, all of them, for its staff page.

    ``None`` when ``user`` may not see the region's knowledge records (a
    partner counterpart): the page then shows no policy section at all.
    """
    if not user.has_perm("knowledge.view_record", Policy(region_id=partnership.local_region_id)):
        return None
    return (
        Policy.objects.filter(region_q(user), partnership=partnership)
        .select_related("agency")
        .order_by("-adopted_on", "-id")
    )


def public_partnership_policies(partnership: Any) -> QuerySet[Policy]:
    """The policies ``partnership`` led to that the cooperation office made public after review."""
    return (
        Policy.objects.filter(
            partnership=partnership,
            region_id=partnership.local_region_id,
            is_public=True,
            reviewed_at__isnull=False,
        )
        .select_related("agency")
        .order_by("-adopted_on", "-id")
    )
