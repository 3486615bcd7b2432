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
from kembar.partnerships.models.partnership import (
    Confidence,
    DatePrecision,
    DocumentedStatus,
    EventKind,
    FocusArea,
    Initiator,
    Partnership,
    PartnershipEvent,
    RelationshipType,
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
    "Partnership",
    "PartnershipDocument",
    "PartnershipEvent",
    "RelationshipType",
    "TransitionRecord",
]
