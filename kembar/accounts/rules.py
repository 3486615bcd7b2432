"""Who may see and do what, at object level (django-rules).

Roles (:class:`~kembar.accounts.models.Role`) say what kind of work a person
does; the organisation says *where*: staff of a local government and its
agencies and council act on that region's records only, a partner
counterpart sees only the partnerships with their own city, the governor's
office (province supervisor) supervises the kabupaten and kota of its province
and the ministry every region, read-only, on their supervision pages.  Views, API
endpoints and services all ask these rules (``user.has_perm(name, obj)``).
"""

from __future__ import annotations

from typing import Any

import rules

from kembar.accounts.models import Role, User

__all__ = [
    "SUPERVISOR_ROLES",
    "can_act_on_region",
    "has_role",
    "is_partner_of",
    "serves_region",
]

LOCAL_ROLES = frozenset(
    {
        Role.COOPERATION_OFFICER,
        Role.AGENCY_OFFICER,
        Role.LEADERSHIP,
        Role.COUNCIL_MEMBER,
    }
)


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", "") in roles


def serves_region(user: Any, region_id: str | None) -> bool:
    """Whether the user belongs to the government (or one of its units) of ``region_id``."""
    if region_id is None or not getattr(user, "is_authenticated", False):
        return False
    organisation = user.organisation
    return organisation is not None and organisation.home_region_id == region_id


def is_partner_of(user: Any, city_id: int | None) -> bool:
    if city_id is None or not has_role(user, Role.PARTNER_COUNTERPART):
        return False
    organisation = user.organisation
    return organisation is not None and organisation.city_id == city_id


def can_act_on_region(user: Any, region_id: str | None) -> bool:
    """Administrators anywhere; cooperation officers of that region."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.COOPERATION_OFFICER) and serves_region(user, region_id)


@rules.predicate
def is_administrator(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_cooperation_officer(user: User) -> bool:
    return has_role(user, Role.COOPERATION_OFFICER)


@rules.predicate
def is_staff_role(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATOR, *LOCAL_ROLES)


@rules.predicate
def has_role_partner(user: User) -> bool:
    return has_role(user, Role.PARTNER_COUNTERPART)


#: Roles that supervise other regions read-only: the governor's office of a province
#: (its kabupaten and kota) and the Ministry of Home Affairs (every region).
SUPERVISOR_ROLES = frozenset({Role.PROVINCE_SUPERVISOR, Role.MINISTRY})


@rules.predicate
def is_supervisor(user: User) -> bool:
    """The governor's office or the ministry: the staff area, their supervision pages only."""
    return has_role(user, *SUPERVISOR_ROLES)


@rules.predicate
def can_view_partnership(user: User, partnership: Any) -> bool:
    if partnership is None:
        return has_role(user, Role.ADMINISTRATOR, Role.PARTNER_COUNTERPART, *LOCAL_ROLES)
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if has_role(user, *LOCAL_ROLES) and serves_region(user, partnership.local_region_id):
        return True
    return is_partner_of(user, partnership.partner_city_id)


@rules.predicate
def can_change_partnership(user: User, partnership: Any) -> bool:
    if partnership is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_act_on_region(user, partnership.local_region_id)


@rules.predicate
def can_handle_request(user: User, request: Any) -> bool:
    if request is None:
        return has_role(user, Role.ADMINISTRATOR, Role.COOPERATION_OFFICER)
    return can_act_on_region(user, request.local_region_id)


rules.add_perm("partnerships.view_partnership", can_view_partnership)
rules.add_perm("partnerships.change_partnership", can_change_partnership)
rules.add_perm("partnerships.add_partnership", can_change_partnership)
rules.add_perm("partnerships.transition_partnership", can_change_partnership)
rules.add_perm("partnerships.add_partnershipdocument", can_change_partnership)
rules.add_perm("partnerships.view_partnershipdocument", can_view_partnership)
rules.add_perm("partnerships.view_inboundrequest", can_handle_request)
rules.add_perm("partnerships.change_inboundrequest", can_handle_request)
rules.add_perm("partnerships.add_inboundrequest", can_handle_request)
rules.add_perm("accounts.access_staff_area", is_staff_role | has_role_partner | is_supervisor)


@rules.predicate
def is_citizen(user: User) -> bool:
    return has_role(user, Role.CITIZEN)


rules.add_perm("accounts.access_citizen_area", is_citizen)
