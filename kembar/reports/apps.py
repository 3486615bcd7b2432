from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports for the council (DPRD, LKPJ) and the ministry, and partnership profiles."""

    name = "kembar.reports"
    verbose_name = _("reports")

    def ready(self) -> None:
        # Registers who may have a report made with django-rules.
        from kembar.reports import rules  # noqa: F401
