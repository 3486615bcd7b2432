"""Citizens taking part: calls for participation (opportunities) under activities.

Dependency direction: ``participation`` imports ``programs``, ``geo`` and
``accounts``; nothing below it imports ``participation``.

- ``opportunities``: a call published from an activity, who may apply, how
  places are given, and places reserved for under-reached kecamatan and groups.
- ``registrations``: residents, their registrations and consent, the audit
  log without personal data, staff access to personal data, survey answers.
"""

from kembar.participation.models.opportunities import (
    Allocation,
    Opportunity,
    OpportunityKind,
    OpportunityReservation,
    OpportunityStatus,
    ReservationDimension,
)
from kembar.participation.models.registrations import (
    ACTIVE_STATUSES,
    Consent,
    ConsentPurpose,
    PersonalDataAccess,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    Resident,
    SurveyAgain,
    SurveyGain,
    SurveyResponse,
)

__all__ = [
    "ACTIVE_STATUSES",
    "Allocation",
    "Consent",
    "ConsentPurpose",
    "Opportunity",
    "OpportunityKind",
    "OpportunityReservation",
    "OpportunityStatus",
    "PersonalDataAccess",
    "Registration",
    "RegistrationEvent",
    "RegistrationStatus",
    "ReservationDimension",
    "Resident",
    "SurveyAgain",
    "SurveyGain",
    "SurveyResponse",
]
