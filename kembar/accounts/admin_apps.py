"""Django's admin app with Kembar's admin site (kept apart: app configs load before models)."""

from django.contrib.admin.apps import AdminConfig


class KembarAdminConfig(AdminConfig):
    """Django's admin app; ``admin.site`` is Kembar's (``default_site`` below)."""

    default_site = "kembar.accounts.admin_site.KembarAdminSite"
