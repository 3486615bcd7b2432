"""Administration: the reference populations the reach dashboard compares against."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kembar.insights.models import ReferencePopulation


@admin.register(ReferencePopulation)
class ReferencePopulationAdmin(SimpleHistoryAdmin[ReferencePopulation]):
    list_display = ["region", "dimension", "category", "population", "year", "source"]
    list_filter = ["dimension", "region"]
    search_fields = ["category", "source"]
