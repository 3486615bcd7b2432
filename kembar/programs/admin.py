"""Administration: standard indicators are edited here; activities and imports are only read.

Activities change only through the services (staff pages, API, spreadsheet
upload), which check permissions and totals and keep the audit trail.
"""

from __future__ import annotations

from django.contrib import admin

from kembar.partnerships.admin import ReadOnlyAdmin
from kembar.programs.models import Activity, EconomicEffect, ImportBatch, StandardIndicator


@admin.register(StandardIndicator)
class StandardIndicatorAdmin(admin.ModelAdmin[StandardIndicator]):
    list_display = ["code", "level", "name_id", "name_en", "unit_id", "higher_is_better"]
    list_filter = ["level"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["reference", "partnership", "kind", "agency", "start_date", "status", "is_demo"]
    list_filter = ["kind", "status", "is_demo", "sector"]
    list_select_related = ["partnership", "agency"]
    search_fields = ["reference", "title_id", "title_en"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["filename", "uploaded_by", "uploaded_at", "outcome", "problem_count"]
    list_filter = ["outcome"]
    list_select_related = ["uploaded_by"]
    exclude = ["rejected_file"]


@admin.register(EconomicEffect)
class EconomicEffectAdmin(ReadOnlyAdmin):
    list_display = ["activity", "kind", "sector", "year", "amount_idr", "confidence", "is_demo"]
    list_filter = ["kind", "confidence", "is_demo", "year"]
    list_select_related = ["activity", "sector"]
    search_fields = ["activity__reference", "source", "note"]
