"""Administration: reference populations (reach) and the plan's priority sectors (economy)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kembar.insights.models import PrioritySector, ReferencePopulation


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
