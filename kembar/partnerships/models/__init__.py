"""Partnerships between a local region and a partner city abroad.

Dependency direction: ``partnerships`` imports ``geo`` (and later ``accounts``);
nothing in ``geo`` imports this app.  The lifecycle (stages, transitions,
agreements) will hang off :class:`Partnership` without changing what is here.
"""

from kembar.partnerships.models.partnership import (
    Confidence,
    DatePrecision,
    DocumentedStatus,
    EventKind,
    FocusArea,
    Partnership,
    PartnershipEvent,
    RelationshipType,
)

__all__ = [
    "Confidence",
    "DatePrecision",
    "DocumentedStatus",
    "EventKind",
    "FocusArea",
    "Partnership",
    "PartnershipEvent",
    "RelationshipType",
]
