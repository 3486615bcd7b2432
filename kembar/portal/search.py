"""Search across what the public portal shows, one section per kind of record.

Each kind is a :class:`SearchSource`: a name, a heading, the template of one
hit and a function giving the matching records.  :data:`SOURCES` lists them in
the order the page shows them; a new kind of public record (opportunities,
for example) is one more source in that list, with its own hit template.

A query is split into words; a record matches when every word is found in
one of its searched fields (case-insensitively, in both languages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kembar.portal.activities import public_activities
from kembar.portal.selectors import public_partnerships

__all__ = [
    "MAX_QUERY",
    "PER_PAGE",
    "SOURCES",
    "SearchPage",
    "SearchSection",
    "SearchSource",
    "search_page",
    "words_q",
]

#: Hits per section and page.
PER_PAGE = 10
#: Longest query read (a longer one is cut): keeps the database work bounded.
MAX_QUERY = 100
#: At most this many words of a query are used.
MAX_WORDS = 8


def words_q(words: list[str], fields: tuple[str, ...]) -> Q:
    """Every word in at least one of ``fields``."""
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields)) for word in words),
        Q(),
    )


@dataclass(frozen=True, slots=True)
class SearchSource:
    key: str
    heading: str | Promise
    #: Template of one hit; it gets the record as ``hit``.
    template: str
    find: Callable[..., QuerySet[Any]]


#: Fields searched in a partnership: the partner's names, its city's and its country's.
PARTNERSHIP_FIELDS = (
    "partner_name",
    "partner_region_name",
    "partner_city__name",
    "partner_city__alternate_names",
    "partner_country__name_id",
    "partner_country__name_en",
)
#: Fields searched in an activity: title and description in both languages, the partner city.
ACTIVITY_FIELDS = (
    "reference",
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "partnership__partner_name",
    "partnership__partner_city__name",
)


def _partnerships(*, region_kode: str, words: list[str]) -> QuerySet[Any]:
    return public_partnerships(region_kode=region_kode).filter(words_q(words, PARTNERSHIP_FIELDS))


def _activities(*, region_kode: str, words: list[str]) -> QuerySet[Any]:
    return (
        public_activities(region_kode=region_kode)
        .filter(words_q(words, ACTIVITY_FIELDS))
        .order_by("-start_date", "reference")
    )


#: Fields searched in a call for participation: its title and description in both languages.
OPPORTUNITY_FIELDS = (
    "title_id",
    "title_en",
    "description_id",
    "description_en",
    "activity__title_id",
    "activity__title_en",
    "activity__partnership__partner_name",
)


def _opportunities(*, region_kode: str, words: list[str]) -> QuerySet[Any]:
    from kembar.participation.selectors import public_opportunities

    return (
        public_opportunities(user=AnonymousUser())
        .filter(activity__partnership__local_region_id=region_kode)
        .filter(words_q(words, OPPORTUNITY_FIELDS))
        .order_by("status", "deadline", "pk")
    )


SOURCES: tuple[SearchSource, ...] = (
    SearchSource(
        key="partnerships",
        heading=_("Partnerships"),
        template="portal/search/_partnership.html",
        find=_partnerships,
    ),
    SearchSource(
        key="activities",
        heading=_("Activities"),
        template="portal/search/_activity.html",
        find=_activities,
    ),
    SearchSource(
        key="opportunities",
        heading=_("Opportunities to take part"),
        template="portal/search/_opportunity.html",
        find=_opportunities,
    ),
)


@dataclass(frozen=True, slots=True)
class SearchSection:
    source: SearchSource
    count: int
    page: Page[Any]
    #: Query strings of the previous and next pages of this section ("" when none).
    previous_query: str
    next_query: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    sections: list[SearchSection]
    total: int


def _words(query: str) -> list[str]:
    return query[:MAX_QUERY].split()[:MAX_WORDS]


def _turn(query: str, pages: dict[str, int], parameter: str, number: int) -> str:
    """The query string of the search with ``parameter``'s section on page ``number``."""
    wanted = {**pages, parameter: number}
    values: dict[str, str] = {"q": query}
    values |= {name: str(value) for name, value in wanted.items() if value > 1}
    return "?" + urlencode(values)


def search_page(
    *,
    region_kode: str,
    query: str,
    pages: Mapping[str, str],
    sources: tuple[SearchSource, ...] = SOURCES,
) -> SearchPage:
    """The hits of ``query`` in each source, a page of each (``pages``: the request's GET)."""
    query = query.strip()[:MAX_QUERY]
    words = _words(query)
    if not words:
        return SearchPage(query=query, sections=[], total=0)
    found = []
    for source in sources:
        parameter = f"{source.key}_page"
        paginator = Paginator(source.find(region_kode=region_kode, words=words), PER_PAGE)
        found.append((source, parameter, paginator, paginator.get_page(pages.get(parameter))))
    numbers = {parameter: page.number for _source, parameter, _paginator, page in found}
    sections = [
        SearchSection(
            source=source,
            count=paginator.count,
            page=page,
            previous_query=(
                _turn(query, numbers, parameter, page.number - 1) if page.has_previous() else ""
            ),
            next_query=_turn(query, numbers, parameter, page.number + 1) if page.has_next() else "",
        )
        for source, parameter, paginator, page in found
    ]
    return SearchPage(
        query=query, sections=sections, total=sum(section.count for section in sections)
    )
