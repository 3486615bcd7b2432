"""Which region a signed-in person works on.

Staff pages and the staff defaults of the API show the records of the user's
own region: the region their organisation (or the government it belongs to)
serves.  Whoever has none (an administrator of the whole instance, a partner
counterpart, the ministry) gets the instance's home region,
``KEMBAR_HOME_REGION``; whether they see its internal records is still for the
rules to say (:mod:`kembar.accounts.rules`).  Public pages stay on the home
region.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

__all__ = ["user_region"]


def user_region(user: Any) -> str:
    """The Kemendagri code of ``user``'s own region, else ``KEMBAR_HOME_REGION``.

    Anonymous visitors, and users of no organisation or of one outside Indonesia
    (a partner government), get the home region.
    """
    if getattr(user, "is_authenticated", False):
        organisation = getattr(user, "organisation", None)
        if organisation is not None and organisation.home_region_id:
            return str(organisation.home_region_id)
    return str(settings.KEMBAR_HOME_REGION)
