"""Reads of guidance: the library's documents, and what regions share with every other region.

Shared with all regions (public, anonymous visitors included):

- **practices** whose region's cooperation office shared them
  (``Practice.shared``, set by :func:`kembar.guidance.services.practice_share`);
- **policies** the cooperation office made public after review
  (``Policy.is_public``, as on the public partnership page), with the same
  fields the partnership page shows (title, instrument and number, date,
  agency), never their description or the lessons behind them.

Both can be narrowed by sector, government affair (urusan), region and
words.  A policy has no sector of its own: it is in a sector (an urusan)
when an activity or a lesson that led to it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from kembar.geo.models import Region
from kembar.guidance.checklists import checklist_documents
from kembar.guidance.library import Document, Library, RenderedDocument, library_read, render
from kembar.knowledge.models import Policy, Practice
from kembar.knowledge.selectors import home_region_id

__all__ = [
    "SharedFilters",
    "document_get",
    "library_documents",
    "region_fill",
    "rendered_document",
    "shared_policies",
    "shared_practices",
    "shared_regions",
]


def library_documents() -> tuple[Library, tuple[Document, ...]]:
    """The library and its documents: the templates, then the checklists."""
    library = library_read()
    return library, (*library.templates, *checklist_documents())


def document_get(slug: str) -> tuple[Library, Document] | None:
    library, documents = library_documents()
    for document in documents:
        if document.slug == slug:
            return library, document
    return None


def region_fill(user: Any) -> dict[str, str]:
    """The placeholders a signed-in staff user's region fills in: its name."""
    region_id = home_region_id(user) if getattr(user, "is_authenticated", False) else None
    if region_id is None:
        return {}
    name = Region.objects.filter(kode=region_id).values_list("name", flat=True).first()
    return {"region": name} if name else {}


def rendered_document(
    slug: str, *, language: str, fill: dict[str, str] | None = None
) -> RenderedDocument | None:
    found = document_get(slug)
    if found is None:
        return None
    library, document = found
    return render(document, language=language, placeholders=library.placeholders, fill=fill)


@dataclass(frozen=True, slots=True)
class SharedFilters:
    q: str = ""
    sector: int | None = None
    urusan: str = ""
    region: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.sector is not None or self.urusan or self.region)


def _words(fields: tuple[str, ...], q: str) -> Q:
    found = Q()
    for name in fields:
        for language in ("id", "en"):
            found |= Q(**{f"{name}_{language}__icontains": q})
    return found


def shared_practices(filters: SharedFilters | None = None) -> QuerySet[Practice]:
    """Practices shared by any region, narrowed by ``filters``."""
    filters = filters or SharedFilters()
    practices = Practice.objects.filter(shared=True)
    if filters.sector is not None:
        practices = practices.filter(sector_id=filters.sector)
    if filters.urusan:
        practices = practices.filter(government_affair_id=filters.urusan)
    if filters.region:
        practices = practices.filter(region_id=filters.region)
    if filters.q:
        practices = practices.filter(_words(("title", "description"), filters.q))
    return (
        practices.select_related(
            "region", "partner_city", "sector", "government_affair", "contact_agency"
        )
        .prefetch_related("focus_areas")
        .order_by("region__name", "direction", "title_id", "id")
    )


def _public_policies() -> QuerySet[Policy]:
    return Policy.objects.filter(is_public=True, reviewed_at__isnull=False)


def shared_policies(filters: SharedFilters | None = None) -> QuerySet[Policy]:
    """Policies made public after review by any region, narrowed by ``filters``."""
    filters = filters or SharedFilters()
    policies = _public_policies()
    if filters.sector is not None:
        policies = policies.filter(
            Q(activities__sector_id=filters.sector) | Q(lessons__sector_id=filters.sector)
        )
    if filters.urusan:
        policies = policies.filter(
            Q(activities__government_affair_id=filters.urusan)
            | Q(lessons__government_affair_id=filters.urusan)
        )
    if filters.region:
        policies = policies.filter(region_id=filters.region)
    if filters.q:
        policies = policies.filter(_words(("title",), filters.q) | Q(number__icontains=filters.q))
    ids = policies.values("pk")
    return (
        Policy.objects.filter(pk__in=ids)
        .select_related("region", "agency")
        .order_by("-adopted_on", "-id")
    )


def shared_regions() -> QuerySet[Region]:
    """The regions that share a practice or a public policy, for the filter."""
    practice_regions = Practice.objects.filter(shared=True).values("region_id")
    policy_regions = _public_policies().values("region_id")
    return Region.objects.filter(
        Q(kode__in=practice_regions) | Q(kode__in=policy_regions)
    ).order_by("name")
