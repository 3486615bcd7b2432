"""Reference figures the dashboards compare against.

Dependency direction: ``insights`` sits on top; it imports ``geo``,
``partnerships`` and ``programs``, and nothing imports it.
"""

from kembar.insights.models.capacity import (
    ActivityKindEffort,
    BudgetCeiling,
    CapacityPlan,
    Hosting,
    StaffCapacity,
)
from kembar.insights.models.priorities import PrioritySector
from kembar.insights.models.references import ReferencePopulation

__all__ = [
    "ActivityKindEffort",
    "BudgetCeiling",
    "CapacityPlan",
    "Hosting",
    "PrioritySector",
    "ReferencePopulation",
    "StaffCapacity",
]
