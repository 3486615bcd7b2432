"""Activities under partnerships, and the code lists they are classified by.

Dependency direction: ``programs`` imports ``partnerships``, ``accounts`` and
``geo``; nothing below it imports ``programs``.

- ``codelists``: the 17 Input-Output sectors with their KBLI sections, the 32
  government affairs, the 17 SDGs and their 169 targets;
- ``activities``: activities, money (budget lines, contributions each way) and
  participants (aggregated counts only);
- ``results``: the IATI-aligned results framework, trip reports, and the log of
  spreadsheet imports;
- ``effects``: the economic effects of activities (export contracts, investment,
  visitor spending), by Input-Output sector.
"""

from kembar.programs.models.activities import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgeBand,
    BudgetLine,
    Contribution,
    ContributionForm,
    ContributionSide,
    CountSource,
    FundingSource,
    Gender,
    MoneyKind,
    ParticipantCount,
    ParticipantRollup,
    ParticipantSide,
    ReachDimension,
    StakeholderGroup,
)
from kembar.programs.models.codelists import GovernmentAffair, SdgGoal, SdgTarget, Sector
from kembar.programs.models.effects import EconomicEffect, EffectConfidence, EffectKind
from kembar.programs.models.results import (
    DisaggregationDimension,
    ImportBatch,
    ImportUndo,
    Indicator,
    IndicatorDisaggregation,
    IndicatorPeriod,
    Result,
    ResultLevel,
    StandardIndicator,
    Traveller,
    TripReport,
)

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "AgeBand",
    "BudgetLine",
    "Contribution",
    "ContributionForm",
    "ContributionSide",
    "CountSource",
    "DisaggregationDimension",
    "EconomicEffect",
    "EffectConfidence",
    "EffectKind",
    "FundingSource",
    "Gender",
    "GovernmentAffair",
    "ImportBatch",
    "ImportUndo",
    "Indicator",
    "IndicatorDisaggregation",
    "IndicatorPeriod",
    "MoneyKind",
    "ParticipantCount",
    "ParticipantRollup",
    "ParticipantSide",
    "ReachDimension",
    "Result",
    "ResultLevel",
    "SdgGoal",
    "SdgTarget",
    "Sector",
    "StakeholderGroup",
    "StandardIndicator",
    "Traveller",
    "TripReport",
]
