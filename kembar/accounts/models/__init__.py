"""Organisations, users and their roles.

Dependency direction: ``accounts`` imports ``geo`` only.  Every other app asks
``kembar.accounts.rules`` what a user may see and do.
"""

from kembar.accounts.models.organisations import Organisation, OrganisationKind
from kembar.accounts.models.users import Notification, Role, User

__all__ = ["Notification", "Organisation", "OrganisationKind", "Role", "User"]
