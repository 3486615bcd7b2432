"""Citizens taking part: calls for participation (opportunities) under activities.

Dependency direction: ``participation`` imports ``programs``, ``geo`` and
``accounts``; nothing below it imports ``participation``.

- ``opportunities``: a call published from an activity, who may apply, how
  places are given, and places reserved for under-reached kecamatan and groups.
"""

from kembar.participation.models.opportunities import (
    Allocation,
    Opportunity,
    OpportunityKind,
    OpportunityReservation,
    OpportunityStatus,
    ReservationDimension,
)

__all__ = [
    "Allocation",
    "Opportunity",
    "OpportunityKind",
    "OpportunityReservation",
    "OpportunityStatus",
    "ReservationDimension",
]
