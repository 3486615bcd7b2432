from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    """The ministry's view of every region: summaries, the national map, reports sent."""

    name = "kembar.national"
    label = "national"
    verbose_name = _("National view")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the national rules with django-rules.
        from kembar.national import rules  # noqa: F401
        from kembar.national.triggers import connect_signals

        connect_signals()
