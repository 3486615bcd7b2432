"""What a user may search, and the names behind facet values.

Scope (for now, until the knowledge app brings finer rules): administrators
search everything; other staff the documents of their organisation's home
region plus every public document; staff without a home region (a partner
counterpart) the public documents only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kembar.accounts.models import Organisation, Role
from kembar.accounts.rules import has_role
from kembar.geo.models import City
from kembar.programs.models import GovernmentAffair, SdgGoal, Sector

__all__ = ["facet_labels", "scope_for"]


def scope_for(user: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`kembar.search.engine.search` that limit it to ``user``."""
    if has_role(user, Role.ADMINISTRATOR):
        return {}
    organisation = getattr(user, "organisation", None)
    home = getattr(organisation, "home_region_id", None)
    if home:
        return {"region": home, "also_public": True}
    return {"public_only": True}


def facet_labels(facets: dict[str, list[tuple[Any, int]]]) -> dict[str, dict[Any, str]]:
    """For each facet, a name for every value shown (the value itself where none is known)."""

    def values(name: str) -> list[Any]:
        return [value for value, _count in facets.get(name, [])]

    def names(records: Iterable[Any], key: str = "pk") -> dict[Any, str]:
        return {getattr(record, key): str(record) for record in records}

    labels = {
        "sector": names(Sector.objects.filter(code__in=values("sector"))),
        "urusan": names(GovernmentAffair.objects.filter(code__in=values("urusan"))),
        "sdg": names(SdgGoal.objects.filter(code__in=values("sdg"))),
        "partner_city": {
            city.pk: city.name for city in City.objects.filter(pk__in=values("partner_city"))
        },
        "agency": {
            organisation.pk: organisation.name
            for organisation in Organisation.objects.filter(pk__in=values("agency"))
        },
        "year": {},
    }
    return {
        name: {value: labels[name].get(value, str(value)) for value in values(name)}
        for name in labels
    }
