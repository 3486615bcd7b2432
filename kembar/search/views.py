"""The staff search page, /staff/search/: the query box, facets, results, "who knows".

Any signed-in staff user may search (``staff_view``); what they find is
limited by :func:`kembar.search.selectors.scope_for` (their region's records
and the public ones; administrators everything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kembar.partnerships.views import StaffRequest, staff_view
from kembar.search.engine import FACETS, search_with_experts
from kembar.search.forms import SearchForm
from kembar.search.models import DocumentKind
from kembar.search.selectors import facet_labels, scope_for

PAGE_SIZE = 20

FACET_HEADINGS: dict[str, Promise] = {
    "sector": _("Sector"),
    "urusan": _("Government affair"),
    "sdg": _("SDG"),
    "partner_city": _("Partner city"),
    "agency": _("Agency"),
    "year": _("Year"),
}


@dataclass(frozen=True, slots=True)
class FacetLink:
    label: str
    count: int
    active: bool
    query: str


def _link(params: QueryDict, name: str, value: Any, active: bool) -> str:
    changed = params.copy()
    changed.pop("page", None)
    if active:
        changed.pop(name, None)
    else:
        changed[name] = str(value)
    return "?" + changed.urlencode()


def _facet_links(params: QueryDict, results: Any, chosen: dict[str, Any]) -> list[dict[str, Any]]:
    labels = facet_labels(results.facets)
    return [
        {
            "name": name,
            "heading": FACET_HEADINGS[name],
            "links": [
                FacetLink(
                    label=labels[name][value],
                    count=count,
                    active=chosen.get(name) == value,
                    query=_link(params, name, value, chosen.get(name) == value),
                )
                for value, count in results.facets[name]
            ],
        }
        for name in FACETS
        if results.facets[name]
    ]


def _pages(params: QueryDict, page: int, total: int) -> dict[str, str | int | None]:
    last = max(1, -(-total // PAGE_SIZE))

    def at(number: int) -> str:
        changed = params.copy()
        changed["page"] = str(number)
        return "?" + changed.urlencode()

    return {
        "number": page,
        "last": last,
        "previous": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if page < last else None,
    }


@require_safe
@staff_view
def staff_search(request: StaffRequest) -> HttpResponse:
    """Search the records the user may see, with facets and "who knows about this"."""
    form = SearchForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    query = data.get("q") or ""
    kind = data.get("kind") or ""
    chosen = form.facets()
    page = data.get("page") or 1
    scope = scope_for(request.user)
    results, experts = search_with_experts(
        query,
        kinds=[kind] if kind else None,
        facets=chosen,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        **scope,
    )
    names = facet_labels({"agency": experts.agencies, "partner_city": experts.partner_cities})
    kinds = dict(DocumentKind.choices)
    context = {
        "form": form,
        "query": query,
        "results": results,
        "hits": [{"hit": hit, "kind_label": kinds[hit.kind]} for hit in results.hits],
        "facets": _facet_links(request.GET, results, chosen),
        "expert_agencies": [(names["agency"][pk], count) for pk, count in experts.agencies],
        "expert_cities": [
            (names["partner_city"][pk], count) for pk, count in experts.partner_cities
        ],
        "pages": _pages(request.GET, page, results.total),
    }
    return render(request, "search/staff_search.html", context)
