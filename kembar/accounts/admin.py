from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kembar.accounts.models import Notification, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "parent", "region", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent", "region", "city"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["region", "city"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """Django's user admin with organisation and role.

    The second-factor secret is never shown; whether the factor is on is
    shown read-only, because only its owner turns it on or off (with codes).
    """

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation and role"), {"fields": ("organisation", "role", "totp_enabled")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )
    readonly_fields = ["totp_enabled", "last_login", "date_joined"]
    list_display = ["username", "first_name", "last_name", "organisation", "role", "totp_enabled"]
    list_filter = ["role", "totp_enabled", "is_active", "is_staff", "organisation__kind"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "dedupe_key"]
    date_hierarchy = "created_at"
