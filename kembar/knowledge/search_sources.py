"""Lessons, practices and policies in the search index (:mod:`kembar.search.registry`).

Kinds ``lesson``, ``practice`` and ``policy``; the region is the record's
own.  Lessons and practices are internal (frank evaluations and plans of
the region's staff); a policy is public exactly when the cooperation office
made it public (``is_public``).  Both languages' texts are indexed; a text
kept in one language only (a lesson's evidence) goes into both.

Facets, as for activities: sector, government affair (urusan), SDG targets,
partner city, agency and year.  A lesson's year is the year its source
activity started (else the year it was written), a practice's the year it
was recorded, a policy's the year it was adopted.  A policy has no sector
or urusan of its own: it takes the one most of the lessons and activities
that led to it share (ties: the lowest code), and their SDG targets.  A
practice's agency is its contact agency; its partner city the city whose
practice it is (empty: our own city's).

The index follows saves and deletions of the records, their many-to-many
links (SDG targets; a policy's lessons and activities), and the lessons,
activities and partnerships a policy takes facets from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from kembar.knowledge.models import Lesson, Policy, Practice
from kembar.partnerships.models import Partnership
from kembar.programs.models import Activity
from kembar.search.engine import Document
from kembar.search.models import DocumentKind
from kembar.search.registry import register_source

__all__ = [
    "lesson_documents",
    "policy_documents",
    "practice_documents",
    "register_knowledge_sources",
]

_LESSON_TEXTS = ("context", "partner_practice", "what_we_tried", "what_happened")


def _joined(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _local_year(moment: Any) -> int | None:
    return timezone.localtime(moment).year if moment else None


def lesson_documents(lessons: QuerySet[Lesson]) -> Iterator[Document]:
    """One document per lesson: its title and its four texts, and the evidence."""
    records = lessons.select_related("source_activity").prefetch_related("sdg_targets")
    for lesson in records:
        activity = lesson.source_activity
        year = activity.start_date.year if activity else _local_year(lesson.created_at)
        yield Document(
            object_id=lesson.pk,
            region=lesson.region_id,
            title_id=lesson.title_id,
            title_en=lesson.title_en,
            body_id=_joined(
                *(getattr(lesson, f"{name}_id") for name in _LESSON_TEXTS), lesson.evidence
            ),
            body_en=_joined(
                *(getattr(lesson, f"{name}_en") for name in _LESSON_TEXTS), lesson.evidence
            ),
            url=reverse("knowledge:lesson-detail", args=[lesson.pk]),
            public=False,
            sector=lesson.sector_id,
            urusan=lesson.government_affair_id,
            sdg=[target.code for target in lesson.sdg_targets.all()],
            partner_city=lesson.partner_city_id,
            agency=lesson.agency_id,
            year=year,
        )


def practice_documents(practices: QuerySet[Practice]) -> Iterator[Document]:
    """One document per practice offered or sought: its topic and description."""
    for practice in practices.prefetch_related("sdg_targets"):
        yield Document(
            object_id=practice.pk,
            region=practice.region_id,
            title_id=practice.title_id,
            title_en=practice.title_en,
            body_id=practice.description_id,
            body_en=practice.description_en,
            # Practices have no page of their own; the list shows each under its anchor.
            url=reverse("knowledge:practice-list") + f"#practice-{practice.pk}",
            public=False,
            sector=practice.sector_id,
            urusan=practice.government_affair_id,
            sdg=[target.code for target in practice.sdg_targets.all()],
            partner_city=practice.partner_city_id,
            agency=practice.contact_agency_id,
            year=_local_year(practice.created_at),
        )


def _most_shared(values: Iterable[Any]) -> Any:
    """The value given most often (ties: the smallest); ``None`` for none."""
    counts = Counter(value for value in values if value is not None)
    if not counts:
        return None
    return min(counts, key=lambda value: (-counts[value], value))


def policy_documents(policies: QuerySet[Policy]) -> Iterator[Document]:
    """One document per policy: title, what changed, instrument and number."""
    records = policies.select_related("partnership").prefetch_related(
        "lessons__sdg_targets", "activities__sdg_targets", "activities__sdg_goals"
    )
    for policy in records:
        origins: list[Any] = [*policy.lessons.all(), *policy.activities.all()]
        sdg = [target.code for origin in origins for target in origin.sdg_targets.all()]
        sdg += [
            goal.code for activity in policy.activities.all() for goal in activity.sdg_goals.all()
        ]
        heading = _joined(policy.number)
        partnership = policy.partnership
        yield Document(
            object_id=policy.pk,
            region=policy.region_id,
            title_id=policy.title_id,
            title_en=policy.title_en,
            body_id=_joined(heading, policy.description_id),
            body_en=_joined(heading, policy.description_en),
            url=reverse("knowledge:policy-detail", args=[policy.pk]),
            public=policy.is_public,
            sector=_most_shared(origin.sector_id for origin in origins),
            urusan=_most_shared(origin.government_affair_id for origin in origins),
            sdg=sdg,
            partner_city=partnership.partner_city_id if partnership else None,
            agency=policy.agency_id,
            year=policy.adopted_on.year,
        )


def register_knowledge_sources() -> None:
    """Index lessons, practices and policies; called from ``KnowledgeConfig.ready``."""
    register_source(
        DocumentKind.LESSON,
        Lesson,
        lesson_documents,
        follows={Activity: lambda activity: Lesson.objects.filter(source_activity=activity)},
    )
    register_source(DocumentKind.PRACTICE, Practice, practice_documents)
    register_source(
        DocumentKind.POLICY,
        Policy,
        policy_documents,
        follows={
            Lesson: lambda lesson: Policy.objects.filter(lessons=lesson),
            Activity: lambda activity: Policy.objects.filter(activities=activity),
            Partnership: lambda partnership: Policy.objects.filter(partnership=partnership),
        },
    )
