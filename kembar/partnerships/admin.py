"""Administration: the lifecycle definition is edited here; records are only read.

An administrator changes states, transitions and document kinds when a
regulation changes, without a release.  Partnerships, documents and the
transition log change only through the services (staff pages and API), so
here they are read-only, and their history cannot be edited or deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kembar.partnerships.models import (
    DocumentKind,
    InboundRequest,
    LifecycleState,
    LifecycleTransition,
    NationalReviewRow,
    Partnership,
    PartnershipDocument,
    TransitionRecord,
)


@admin.register(LifecycleState)
class LifecycleStateAdmin(admin.ModelAdmin[LifecycleState]):
    list_display = ["code", "name_id", "name_en", "order", "is_terminal", "legal_basis"]
    ordering = ["order"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin[DocumentKind]):
    list_display = ["code", "name_id", "name_en", "has_validity"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(LifecycleTransition)
class LifecycleTransitionAdmin(admin.ModelAdmin[LifecycleTransition]):
    list_display = [
        "source",
        "target",
        "roles",
        "approver_roles",
        "requires_reason",
        "deadline_working_days",
        "legal_basis",
    ]
    list_filter = ["source", "requires_reason"]
    list_select_related = ["source", "target"]
    filter_horizontal = ["required_documents"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown to administrators, changed only through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = [
        "slug",
        "partner_name",
        "partner_country",
        "state",
        "is_public",
        "origin",
        "confirmed_at",
        "version",
    ]
    list_filter = ["state", "relationship_type", "is_public", "origin", "region_match"]
    list_select_related = ["partner_country", "state"]
    search_fields = ["slug", "partner_name"]


@admin.register(TransitionRecord)
class TransitionRecordAdmin(ReadOnlyAdmin):
    list_display = ["partnership", "source", "target", "status", "actor", "approver", "created_at"]
    list_filter = ["status", "target"]
    list_select_related = ["partnership", "source", "target", "actor", "approver"]


@admin.register(PartnershipDocument)
class PartnershipDocumentAdmin(ReadOnlyAdmin):
    list_display = ["partnership", "kind", "title", "version", "valid_until", "uploaded_by"]
    list_filter = ["kind"]
    list_select_related = ["partnership", "kind", "uploaded_by"]


@admin.register(InboundRequest)
class InboundRequestAdmin(ReadOnlyAdmin):
    list_display = ["partner_name", "partner_country", "received_on", "status"]
    list_filter = ["status"]


@admin.register(NationalReviewRow)
class NationalReviewRowAdmin(ReadOnlyAdmin):
    """Rows of the world twin-town list whose Indonesian town no region matched, with the reason.

    Written by ``manage.py load_national_record``; a row leaves the list when the
    curated aliases (``kembar/data/national/aliases.csv``) or the regions settle it.
    """

    list_display = ["line", "city1", "country1", "city2", "country2", "reason"]
    search_fields = ["city1", "city2", "reason"]
    ordering = ["line"]
