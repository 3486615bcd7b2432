"""Partnerships between a local region and a partner city abroad.

Dependency direction: ``partnerships`` imports ``geo`` (and later ``accounts``);
nothing in ``geo`` imports this app.  The lifecycle (stages, transitions,
agreements) will hang off :class:`Partnership` without changing what is here.
"""

from kembar.partnerships.models.lifecycle import (
    Check,
    DocumentKind,
    LifecycleState,
    LifecycleTransition,
)
from kembar.partnerships.models.national import NATIONAL_REVIEW_SOURCE, NationalReviewRow
from kembar.partnerships.models.partnership import (
    Confidence,
    DatePrecision,
    DocumentedStatus,
    EventKind,
    FocusArea,
    Initiator,
    Partnership,
    PartnershipEvent,
    RecordOrigin,
    RegionMatch,
    RelationshipType,
    region_match_reason,
)
from kembar.partnerships.models.records import (
    Condition,
    ConditionCheck,
    CooperationPlan,
    InboundRequest,
    PartnershipDocument,
    TransitionRecord,
)

__all__ = [
    "NATIONAL_REVIEW_SOURCE",
    "Check",
    "Condition",
    "ConditionCheck",
    "Confidence",
    "CooperationPlan",
    "DatePrecision",
    "DocumentKind",
    "DocumentedStatus",
    "EventKind",
    "FocusArea",
    "InboundRequest",
    "Initiator",
    "LifecycleState",
    "LifecycleTransition",
    "NationalReviewRow",
    "Partnership",
    "PartnershipDocument",
    "PartnershipEvent",
    "RecordOrigin",
    "RegionMatch",
    "RelationshipType",
    "TransitionRecord",
    "region_match_reason",
]
