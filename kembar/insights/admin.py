"""Administration: reference populations, priority sectors and what the city can carry."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kembar.insights.models import (
    ActivityKindEffort,
    BudgetCeiling,
    CapacityPlan,
    PrioritySector,
    ReferencePopulation,
    StaffCapacity,
)


@admin.register(ReferencePopulation)
class ReferencePopulationAdmin(SimpleHistoryAdmin[ReferencePopulation]):
    list_display = ["region", "dimension", "category", "population", "year", "source"]
    list_filter = ["dimension", "region"]
    search_fields = ["category", "source"]


@admin.register(PrioritySector)
class PrioritySectorAdmin(SimpleHistoryAdmin[PrioritySector]):
    list_display = ["region", "plan", "sector", "note"]
    list_filter = ["plan"]
    list_select_related = ["region", "sector"]
    search_fields = ["plan", "note"]
    raw_id_fields = ["region"]


@admin.register(ActivityKindEffort)
class ActivityKindEffortAdmin(SimpleHistoryAdmin[ActivityKindEffort]):
    list_display = ["kind", "office_days", "agency_days", "cost_idr", "hosting"]
    list_editable = ["office_days", "agency_days", "cost_idr", "hosting"]


class StaffCapacityInline(admin.TabularInline[StaffCapacity, CapacityPlan]):
    model = StaffCapacity
    extra = 1
    autocomplete_fields = ["organisation"]


class BudgetCeilingInline(admin.TabularInline[BudgetCeiling, CapacityPlan]):
    model = BudgetCeiling
    extra = 1


@admin.register(CapacityPlan)
class CapacityPlanAdmin(SimpleHistoryAdmin[CapacityPlan]):
    list_display = [
        "region",
        "year",
        "cooperation_office",
        "delegations_per_month",
        "events_per_month",
    ]
    list_filter = ["year"]
    list_select_related = ["region", "cooperation_office"]
    raw_id_fields = ["region"]
    autocomplete_fields = ["cooperation_office"]
    inlines = [StaffCapacityInline, BudgetCeilingInline]
