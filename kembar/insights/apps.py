from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Dashboards and reports: loads data from the other apps and calls ``kembar.analytics``."""

    name = "kembar.insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"
