from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kembar.accounts import services
from kembar.accounts.forms import SecondFactorResetForm
from kembar.accounts.models import Notification, Organisation, User


class PasswordSetByAdministratorForm(AdminPasswordChangeForm):
    """Django's form for an administrator setting a password; the user's API tokens end too."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit and isinstance(user, User):
            services.user_tokens_revoke(user=user)
        return user


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
    shown read-only, because only its owner turns it on (with a code).  An
    administrator can turn it off for someone who lost their phone, with a
    reason kept in the user's history.
    """

    change_password_form = PasswordSetByAdministratorForm
    actions = ["reset_second_factor"]

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

    @admin.action(description=_("Reset the second factor of the selected users"))
    def reset_second_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        actor = request.user
        if not isinstance(actor, User):
            raise PermissionDenied
        users = list(queryset.filter(totp_enabled=True))
        form = SecondFactorResetForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for user in users:
                try:
                    services.user_second_factor_reset(
                        user=user, by=actor, reason=form.cleaned_data["reason"]
                    )
                except (PermissionDenied, ValidationError) as error:
                    self.message_user(request, f"{user}: {error}", messages.ERROR)
                    continue
                self.log_change(request, user, "second factor reset")
            self.message_user(
                request,
                _("Second factor reset for %(count)d users.") % {"count": len(users)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/user/reset_second_factor.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reset the second factor"),
                "opts": self.model._meta,
                "users": users,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": queryset.values_list("pk", flat=True),
            },
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "user", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["subject", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "dedupe_key"]
    date_hierarchy = "created_at"
