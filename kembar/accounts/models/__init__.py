"""Organisations, users and their roles.

Dependency direction: ``accounts`` imports ``geo`` only.  Every other app asks
``kembar.accounts.rules`` what a user may see and do.
"""

from kembar.accounts.models.organisations import Organisation, OrganisationKind
from kembar.accounts.models.users import Notification, RecoveryCode, Role, User

__all__ = [
    "Notification",
    "Organisation",
    "OrganisationKind",
    "RecoveryCode",
    "Role",
    "User",
]
