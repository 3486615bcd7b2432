"""Administration: jobs and their history are read here (the error with its traceback too)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kembar.jobs.models import Job, JobEvent
from kembar.partnerships.admin import ReadOnlyAdmin


class JobEventInline(admin.TabularInline[JobEvent, Job]):
    model = JobEvent
    fields = ["at", "kind", "attempt", "note"]
    readonly_fields = ["at", "kind", "attempt", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "state", "created_by", "created_at", "attempts", "finished_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["created_by"]
    search_fields = ["id", "input_name", "created_by__username"]
    exclude = ["input_data"]
    inlines = [JobEventInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("input_data")
