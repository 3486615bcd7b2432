"""Administration of the reference data an administrator keeps: relations and the calendar."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kembar.geo.models import CalendarDay, DiplomaticRelation


@admin.register(DiplomaticRelation)
class DiplomaticRelationAdmin(SimpleHistoryAdmin[DiplomaticRelation]):
    list_display = ["country", "has_relations", "note", "checked_on"]
    list_filter = ["has_relations"]
    list_select_related = ["country"]
    search_fields = ["country__iso2", "country__name_en", "country__name_id", "note"]
    raw_id_fields = ["country"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin[CalendarDay]):
    list_display = ["date", "kind", "name_id", "name_en", "source"]
    list_filter = ["kind"]
    search_fields = ["name_id", "name_en", "source"]
    date_hierarchy = "date"
