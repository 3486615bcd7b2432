"""Which partnerships a user may see, as a query (the rules of kembar.accounts.rules, in SQL)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet

from kembar.accounts.models import Role
from kembar.accounts.rules import LOCAL_ROLES, has_role
from kembar.partnerships.models import Partnership

__all__ = [
    "listed_partnerships",
    "listed_partnerships_through",
    "staff_partnerships",
    "staff_partnerships_through",
    "visible_inbound_requests_q",
    "visible_partnerships_q",
]


def visible_partnerships_q(user: Any, *, include_public: bool) -> Q:
    """A filter for the partnerships ``user`` may see.

    Mirrors ``partnerships.view_partnership``: administrators see all, staff
    of a local government (and its agencies and council) their region's, a
    partner counterpart those with their city.  ``include_public`` adds what
    the public portal shows anyway.
    """
    public = Q(is_public=True) if include_public else Q(pk__in=[])
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    organisation = getattr(user, "organisation", None) if user.is_authenticated else None
    if organisation is None:
        return public
    if has_role(user, *LOCAL_ROLES) and organisation.home_region_id:
        return public | Q(local_region_id=organisation.home_region_id)
    if has_role(user, Role.PARTNER_COUNTERPART) and organisation.city_id:
        return public | Q(partner_city_id=organisation.city_id)
    return public


def staff_partnerships(user: Any) -> QuerySet[Partnership]:
    """The partnerships every staff list, filter and selector offers ``user``.

    Exactly those ``partnerships.view_partnership`` allows: a partner
    counterpart their own city's, staff their region's.  Other partnerships
    are not offered even when public: the public pages show those, and a staff
    page of another partnership would show what only its own staff may see.
    """
    return Partnership.objects.filter(visible_partnerships_q(user, include_public=False))


def _through(condition: Q, path: str) -> Q:
    """``condition`` (a filter on partnerships) as a filter on the rows ``path`` leads from."""
    result = Q()
    result.connector = condition.connector
    result.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_through(child, path))
        else:
            lookup, value = cast(tuple[str, Any], child)
            result.children.append((f"{path}__{lookup}", value))
    return result


def staff_partnerships_through(user: Any, path: str = "partnership") -> Q:
    """:func:`staff_partnerships` as a filter on rows of a partnership (activities, summaries).

    A condition on the joined partnership rather than ``partnership IN (subquery)``, so that
    PostgreSQL starts from the region's few partnerships and their index instead of reading
    every activity of the country (a list of 25 activities: 4 s → tens of milliseconds in
    ``bench/national.py``).
    """
    return _through(visible_partnerships_q(user, include_public=False), path)


def listed_partnerships_through(user: Any, path: str = "partnership") -> Q:
    """:func:`listed_partnerships` as a filter on rows of a partnership (see above)."""
    return _through(_listed_q(user), path)


def _listed_q(user: Any) -> Q:
    # A partner counterpart's lists are their staff lists (see listed_partnerships).
    return visible_partnerships_q(user, include_public=not has_role(user, Role.PARTNER_COUNTERPART))


def listed_partnerships(user: Any) -> QuerySet[Partnership]:
    """The partnerships whose records the lists open to everyone show ``user`` (the API).

    Anonymous callers get the public ones; staff of a local government and
    administrators also what the rules let them see.  A partner counterpart
    gets only :func:`staff_partnerships`, their own city's, public or not: they
    sign in to follow their own partnerships, and the records of the others
    stay on the public portal.
    """
    return Partnership.objects.filter(_listed_q(user))


def visible_inbound_requests_q(user: Any) -> Q:
    """A filter mirroring ``partnerships.view_inboundrequest``.

    Administrators see every request, cooperation officers their region's.
    """
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    organisation = getattr(user, "organisation", None)
    if has_role(user, Role.COOPERATION_OFFICER) and organisation and organisation.home_region_id:
        return Q(local_region_id=organisation.home_region_id)
    return Q(pk__in=[])
