"""The twin-city network pages: a city's partners and partners' partners, and new partners.

``/insights/network/`` (everyone) and ``/staff/insights/network/`` (the staff
area, same content: the network is public reference data) show the home
region's city, or the cities a search finds; ``…/network/<city id>/`` any
city.  The same figures as ``/api/v1/network/cities/{id}/ego/`` and
``…/recommendations/``; the drawing has its table beside it.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kembar.accounts.regions import user_region
from kembar.common.public_cache import public_cacheable
from kembar.insights.network import (
    CityNotFound,
    city_ego_network,
    city_network_facts,
    city_recommendations,
    city_search,
    home_city_id,
    learning_need_choices,
)
from kembar.insights.staff_cache import cached
from kembar.knowledge.matching import learning_region, network_learning
from kembar.partnerships.views import StaffRequest, staff_view

#: Recommendations shown on the page.
PAGE_RECOMMENDATIONS = 10


class CitySearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Find a city"),
        min_length=2,
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class LearningNeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("Learning needs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Cities whose recorded partnerships covered these fields rank higher."
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["needs"]).choices = choices


def _areas(staff_layout: bool) -> dict[str, str]:
    namespace = "insights-staff" if staff_layout else "insights"
    return {"network_url": f"{namespace}:network", "city_url": f"{namespace}:network-city"}


def _city_page(request: HttpRequest, city_id: int, *, staff_layout: bool) -> HttpResponse:
    region_id = learning_region(request.user) if staff_layout else None

    def page() -> tuple[str, SafeString]:
        context = _city_context(request, city_id, staff_layout=staff_layout, region_id=region_id)
        body = render_to_string("insights/network_body.html", context, request)
        return context["city"].name, body

    if staff_layout:
        # The network is public reference data: every signed-in user of a region gets the same
        # page (with the region's practices, knowledge records of the data generation).
        parts = (city_id, sorted(request.GET.lists()), region_id)
        name, body = cached("network-city", parts, page)
    else:
        name, body = page()
    context = {"city_name": name, "body": body, "staff_layout": staff_layout}
    if region_id is not None and request.user.has_perm(
        "knowledge.add_record",
        region_id,  # type: ignore[arg-type]  # the rule takes a region code
    ):
        context["record_practice_url"] = (
            reverse("knowledge:practice-create") + "?" + urlencode({"city": city_id})
        )
    return render(request, "insights/network.html", context)


def _city_context(
    request: HttpRequest, city_id: int, *, staff_layout: bool, region_id: str | None = None
) -> dict[str, Any]:
    try:
        ego = city_ego_network(city_id)
    except CityNotFound:
        raise Http404 from None
    learning = network_learning(region_id)
    choices = learning_need_choices()
    # The region's own city, without needs ticked: the needs of the practices it seeks.
    from_records = "needs" not in request.GET and city_id == learning.home_city
    known = {code for code, _name in choices}
    initial = [need for need in learning.needs if need in known] if from_records else []
    needs_form = LearningNeedsForm(
        request.GET if "needs" in request.GET else None,
        choices=choices,
        initial={"needs": initial},
    )
    needs = needs_form.cleaned_data["needs"] if needs_form.is_valid() else initial
    recommendations = city_recommendations(
        city_id, k=PAGE_RECOMMENDATIONS, learning_needs=needs, known_for=learning.known_for
    )
    # Each city with the practices the region recorded it offers (those of the needs ticked).
    recommended = [(item, learning.offers_for(item.id, needs)) for item in recommendations.items]
    map_data = ego.map_data()
    map_data["labels"] = {
        "rings": [_("this city"), _("partner"), _("partner of a partner")],
        "partners": _("partners"),
    }
    return {
        "ego": ego,
        "city": ego.city,
        "facts": city_network_facts(city_id),
        "recommendations": recommendations,
        "recommended": recommended,
        "needs_from_records": learning.sought if from_records and initial else [],
        "needs_form": needs_form,
        "search_form": CitySearchForm(),
        "map_data": map_data,
        "staff_layout": staff_layout,
        **_areas(staff_layout),
    }


def _index(request: HttpRequest, *, staff_layout: bool) -> HttpResponse:
    search_form = CitySearchForm(request.GET or None)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    if not query and not search_form.errors:
        # Staff start from their own region's city, the public from the home region's.
        home = home_city_id(user_region(request.user) if staff_layout else None)
        if home is not None:
            return _city_page(request, home, staff_layout=staff_layout)
    context = {
        "search_form": search_form,
        "query": query,
        "results": city_search(query) if query else [],
        "staff_layout": staff_layout,
        **_areas(staff_layout),
    }
    return render(request, "insights/network_search.html", context)


@require_safe
@public_cacheable
def network_public(request: HttpRequest) -> HttpResponse:
    """The home region's city, or the cities matching ``?q=``."""
    return _index(request, staff_layout=False)


@require_safe
@public_cacheable
def network_city_public(request: HttpRequest, city_id: str) -> HttpResponse:
    """One city's network, facts and recommended partners (``?needs=`` focus areas)."""
    return _city_page(request, int(city_id), staff_layout=False)


@require_safe
@staff_view
def network_staff(request: StaffRequest) -> HttpResponse:
    """As :func:`network_public`, in the staff area."""
    return _index(request, staff_layout=True)


@require_safe
@staff_view
def network_city_staff(request: StaffRequest, city_id: str) -> HttpResponse:
    """As :func:`network_city_public`, in the staff area."""
    return _city_page(request, int(city_id), staff_layout=True)
