from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports for the council (DPRD, LKPJ) and the ministry, and partnership profiles."""

    name = "kembar.reports"
    verbose_name = _("reports")
